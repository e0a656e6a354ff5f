// sso-spa driven through its public API. Renewals bypass the cache with cacheMode 'off' and pick
// the channel with renewVia: 'provider' (the hidden iframe, prompt=none) or 'refresh_token'.
// Start-up is createSsoClient's: checkSession(), which may end in one top-level prompt=none
// redirect (checkSessionRedirect) when the iframe finds no session; the page then goes away, and
// the state is known on the callback page it comes back to.
import { SsoClient } from 'sso-spa';
import { leaveCallback, redirectUri, runPage } from './harness.js';

const config = window.benchConfig;
const client = new SsoClient({
  issuer: config.issuer,
  clientId: config.clientId,
  authorizationParams: {
    redirect_uri: redirectUri(),
    scope: config.refreshTokens ? 'openid profile email offline_access' : 'openid profile email',
  },
  useRefreshTokens: config.refreshTokens,
  useRefreshTokensFallback: config.refreshFallback,
  checkSessionRedirect: config.checkSessionRedirect,
  cacheLocation: config.cache,
});

runPage({
  async start() {
    if (location.pathname === '/callback') {
      await client.handleRedirectCallback();
      leaveCallback();
    } else {
      // What createSsoClient does after construction (it swallows every failure but invalid options).
      await client.checkSession();
      // The SDK is navigating to the provider: the state becomes known on the callback page.
      if (client.lastSessionCheck?.status === 'redirecting') return new Promise<never>(() => {});
    }
    return client.isAuthenticated();
  },
  login: () => client.loginWithRedirect(),
  token: () => client.getTokenSilently(),
  cached: async () => Boolean(await client.getTokenSilently({ cacheMode: 'cache-only' })),
  async renew(via) {
    await client.getTokenSilently({ cacheMode: 'off', renewVia: via === 'iframe' ? 'provider' : 'refresh_token' });
  },
});
