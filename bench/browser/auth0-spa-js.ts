// @auth0/auth0-spa-js driven through its public API. auth0-spa-js prefixes a bare `domain` with
// https:// (getDomain in its src/utils.ts), so the dev IdP's plain-http loopback origin is passed as
// a full `http://` URL; its issuer is then `${domain}/`, which matches the dev IdP's trailing slash.
import { Auth0Client } from '@auth0/auth0-spa-js';
import { leaveCallback, redirectUri, runPage } from './harness.js';

const config = window.benchConfig;
const domain = config.issuer.replace(/\/$/, '');
const scope = config.refreshTokens ? 'openid profile email offline_access' : 'openid profile email';
// auth0-spa-js keeps tokens in memory or localStorage only.
if (config.cache === 'sessionstorage') throw new Error('auth0-spa-js has no sessionStorage cache');
const cacheLocation = config.cache;

const client = new Auth0Client({
  domain,
  clientId: config.clientId,
  authorizationParams: { redirect_uri: redirectUri(), scope },
  useRefreshTokens: config.refreshTokens,
  cacheLocation,
});
// A second client that never holds a refresh token, so getTokenSilently goes through the iframe.
const iframeClient = config.iframeClient
  ? new Auth0Client({ domain, clientId: config.clientId, authorizationParams: { redirect_uri: redirectUri() } })
  : undefined;

runPage({
  async start() {
    if (location.pathname === '/callback') {
      await client.handleRedirectCallback();
      leaveCallback();
    } else {
      // What createAuth0Client does: a silent check when the "is authenticated" cookie says so.
      await client.checkSession();
    }
    return client.isAuthenticated();
  },
  login: () => client.loginWithRedirect(),
  token: () => client.getTokenSilently(),
  cached: async () => Boolean(await client.getTokenSilently({ cacheMode: 'cache-only' })),
  async renew(via) {
    if (via === 'iframe') {
      if (!iframeClient) throw new Error('no iframe client on this page');
      await iframeClient.getTokenSilently({ cacheMode: 'off' });
    } else {
      await client.getTokenSilently({ cacheMode: 'off' });
    }
  },
});
