import { createRoot } from 'react-dom/client';
import { SsoClient } from 'sso-spa';
import { defineSessionDialog } from 'sso-spa/dialog';
import { createSessionManager } from 'sso-spa/session';
import { DemoApp } from './App.js';
import { loadConfig } from './config.js';
import './styles.css';

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
      'sso-session-dialog': React.DetailedHTMLProps<React.HTMLAttributes<HTMLElement>, HTMLElement>;
    }
  }
}

/** Boots a demo site: reads `/config.json`, makes the client and the session manager, renders. */
export async function startDemoSite(rootElement: HTMLElement): Promise<void> {
  const config = await loadConfig();
  document.title = config.siteName;
  const client = new SsoClient({
    issuer: config.issuer,
    clientId: config.clientId,
    authorizationParams: {
      redirect_uri: `${window.location.origin}/callback`,
      audience: config.audience,
      scope: config.scope,
    },
    useRefreshTokens: config.useRefreshTokens,
    useRefreshTokensFallback: true,
    useDpop: config.useDpop,
    verifyIdTokenSignature: config.verifyIdTokenSignature,
    // Where third-party cookies are blocked the hidden iframe cannot see the SSO session; one
    // top-level prompt=none redirect can, without showing a form.
    checkSessionRedirect: true,
    cacheLocation: 'memory',
  });
  const session = createSessionManager(client, {
    ssoIdleTimeoutSeconds: config.session.ssoIdleTimeoutSeconds,
    ssoAbsoluteTimeoutSeconds: config.session.ssoAbsoluteTimeoutSeconds,
    warnBeforeSeconds: config.session.warnBeforeSeconds,
  });
  defineSessionDialog();
  createRoot(rootElement).render(<DemoApp config={config} client={client} session={session} />);
}
