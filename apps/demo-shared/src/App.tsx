import { type SsoClient, sameOriginPath } from 'sso-spa';
import type { SessionDialogElement } from 'sso-spa/dialog';
import { SsoProvider, useSso, withAuthenticationRequired } from 'sso-spa-react';
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
        <Header config={config} />
        <main>
          <Page config={config} />
        </main>
        <SessionPanel session={session} />
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

function Page({ config }: { config: DemoConfig }) {
  const path = usePath();
  if (path === '/orders') return <ProtectedOrders />;
  if (path === '/api') return <ProtectedApi config={config} />;
  if (path === '/callback') return <p className="muted">Finishing sign-in…</p>;
  return <HomePage config={config} />;
}

function Header({ config }: { config: DemoConfig }) {
  const { isLoading, isAuthenticated, user, error, loginWithRedirect, logout } = useSso();
  const path = usePath();
  const link = (to: string, label: string) => (
    <a
      href={to}
      className={path === to ? 'active' : undefined}
      onClick={(event) => {
        event.preventDefault();
        navigate(to);
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
            <button type="button" onClick={() => logout({ logoutParams: { returnTo: `${window.location.origin}/` } })}>
              Log out
            </button>
          </>
        ) : (
          <>
            <span data-testid="signed-out">Signed out</span>
            <button type="button" onClick={() => loginWithRedirect({ appState: { targetUrl: window.location.pathname } })}>
              Log in
            </button>
          </>
        )}
      </div>
      {error && !isLoading ? (
        <p className="error" role="alert">
          {error.message}
        </p>
      ) : null}
    </header>
  );
}
