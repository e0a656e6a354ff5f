import { useState } from 'react';
import { type SsoClient, sameOriginPath } from 'sso-spa';
import type { SessionDialogElement } from 'sso-spa/dialog';
import { SsoProvider, useExtendOnNavigation, useSso, withAuthenticationRequired } from 'sso-spa-react';
import type { DemoConfig } from './config.js';
import { ApiPage } from './pages/ApiPage.js';
import { HomePage } from './pages/HomePage.js';
import { OrdersPage } from './pages/OrdersPage.js';
import { locationChanged, navigate, usePath } from './router.js';
import { type DemoSession, SessionPanel } from './SessionPanel.js';

interface DemoAppProps {
  config: DemoConfig;
  client: SsoClient;
  session: DemoSession;
}

const protectedPage = {
  onRedirecting: () => <p className="muted">Signing you in…</p>,
  onSessionEnded: () => (
    <p className="muted" data-testid="session-ended">
      Your session has ended. Log in to see this page again.
    </p>
  ),
};
const ProtectedOrders = withAuthenticationRequired(OrdersPage, protectedPage);
const ProtectedApi = withAuthenticationRequired(ApiPage, protectedPage);

function onRedirectCallback(appState: unknown): void {
  const target = (appState as { targetUrl?: unknown } | undefined)?.targetUrl;
  window.history.replaceState(null, '', sameOriginPath(target, '/'));
  locationChanged();
}

export function DemoApp({ config, client, session }: DemoAppProps) {
  return (
    <SsoProvider client={client} onRedirectCallback={onRedirectCallback}>
      <div className="layout">
        <Header config={config} session={session} />
        <main>
          <Page config={config} client={client} />
        </main>
        <SessionPanel session={session} client={client} audience={config.audience} />
      </div>
      <sso-session-dialog ref={(element: HTMLElement | null) => bindDialog(element, session)} />
    </SsoProvider>
  );
}

function bindDialog(element: HTMLElement | null, session: DemoSession): void {
  if (!element) return;
  const dialog = element as SessionDialogElement;
  dialog.manager = session;
  dialog.logoutOptions = { logoutParams: { returnTo: `${window.location.origin}/` } };
}

function Page({ config, client }: { config: DemoConfig; client: SsoClient }) {
  const path = usePath();
  if (path === '/orders') return <ProtectedOrders />;
  if (path === '/api') return <ProtectedApi config={config} client={client} />;
  if (path === '/callback') return <p className="muted">Finishing sign-in…</p>;
  return <HomePage config={config} />;
}

// Survives the page load that follows a logout: the note must be on the page the user lands on.
const providerLogoutNoteKey = 'demo:provider-logout-not-supported';

function readProviderLogoutNote(): boolean {
  try {
    return window.sessionStorage.getItem(providerLogoutNoteKey) === '1';
  } catch {
    return false;
  }
}

function Header({ config, session }: { config: DemoConfig; session: DemoSession }) {
  // Where only a top-level round trip can extend the SSO session, an in-app link takes it.
  const go = useExtendOnNavigation(session, navigate);
  const { isLoading, isAuthenticated, user, error, loginWithRedirect, logout } = useSso();
  const path = usePath();
  const [providerStillSignedIn, setProviderStillSignedIn] = useState(readProviderLogoutNote);
  const logOut = async () => {
    // The navigation waits until the result is known, so the note is stored before the page goes.
    let leaveTo: string | undefined;
    const result = await logout({
      logoutParams: { returnTo: `${window.location.origin}/` },
      openUrl: (url) => {
        leaveTo = url;
      },
    });
    if (result.provider === 'not_supported') {
      try {
        window.sessionStorage.setItem(providerLogoutNoteKey, '1');
      } catch {
        // No storage: the note shows on this page only.
      }
      setProviderStillSignedIn(true);
    }
    if (leaveTo) window.location.assign(leaveTo);
  };
  const logIn = () => {
    try {
      window.sessionStorage.removeItem(providerLogoutNoteKey);
    } catch {
      // Nothing stored.
    }
    setProviderStillSignedIn(false);
    return loginWithRedirect({ appState: { targetUrl: window.location.pathname } });
  };
  const link = (to: string, label: string) => (
    <a
      href={to}
      className={path === to ? 'active' : undefined}
      onClick={(event) => {
        event.preventDefault();
        go(to);
      }}
    >
      {label}
    </a>
  );
  return (
    <header>
      <strong className="brand">{config.siteName}</strong>
      <nav>
        {link('/', 'Home')}
        {link('/orders', 'Orders')}
        {link('/api', 'External API')}
      </nav>
      <div className="account" data-testid="account">
        {isLoading ? (
          <span className="muted">Checking session…</span>
        ) : isAuthenticated ? (
          <>
            <span data-testid="user-name">{user?.name ?? user?.email ?? user?.sub}</span>
            <button type="button" onClick={logOut}>
              Log out
            </button>
          </>
        ) : (
          <>
            <span data-testid="signed-out">Signed out</span>
            <button type="button" onClick={logIn}>
              Log in
            </button>
          </>
        )}
      </div>
      {providerStillSignedIn ? (
        <p className="notice" role="status" data-testid="provider-logout-not-supported">
          You are signed out of {config.siteName}, but your sign-in provider offers no logout: you may still be signed in there,
          and sites using it (this one included) can sign you in again without a password. Close the browser to end that session.
        </p>
      ) : null}
      {error && !isLoading ? (
        <p className="error" role="alert">
          {error.message}
        </p>
      ) : null}
    </header>
  );
}
