// oidc-client-ts driven through its public API (UserManager). signinSilent() never reads the cache:
// it uses the user's refresh token when there is one, otherwise the hidden iframe.
import { InMemoryWebStorage, UserManager, WebStorageStateStore } from 'oidc-client-ts';
import { leaveCallback, redirectUri, runPage } from './harness.js';

const config = window.benchConfig;
const silentUri = `${location.origin}/silent-callback`;
const common = {
  authority: config.issuer,
  client_id: config.clientId,
  redirect_uri: redirectUri(),
  silent_redirect_uri: silentUri,
  automaticSilentRenew: false,
};
// memory: tokens in memory like the other SDKs' defaults; localstorage: shared by tabs; absent:
// oidc-client-ts's default, sessionStorage.
const stores = {
  memory: () => new InMemoryWebStorage(),
  sessionstorage: () => sessionStorage,
  localstorage: () => localStorage,
};
const manager = new UserManager({
  ...common,
  scope: config.refreshTokens ? 'openid profile email offline_access' : 'openid profile email',
  ...(config.cache ? { userStore: new WebStorageStateStore({ store: stores[config.cache]() }) } : {}),
});
// A second manager without a stored user, so its signinSilent() goes through the iframe.
const iframeManager = config.iframeClient
  ? new UserManager({
      ...common,
      scope: 'openid profile email',
      userStore: new WebStorageStateStore({ store: new InMemoryWebStorage() }),
    })
  : undefined;

runPage({
  async start() {
    if (location.pathname === '/callback') {
      await manager.signinRedirectCallback();
      leaveCallback();
      return true;
    }
    let user = await manager.getUser();
    // The idiomatic start-up check when nothing is stored: a silent sign-in (login_required → signed out).
    if (!user) user = await manager.signinSilent().catch(() => null);
    return user !== null && !user.expired;
  },
  login: () => manager.signinRedirect(),
  async renew(via) {
    if (via === 'iframe') {
      if (!iframeManager) throw new Error('no iframe manager on this page');
      // Forget the last result so signinSilent() cannot take the refresh-token path.
      await iframeManager.removeUser();
      await iframeManager.signinSilent();
    } else {
      const user = await manager.signinSilent();
      if (!user?.refresh_token) throw new Error('no refresh token: the renewal did not use one');
    }
  },
  async frameCallback() {
    if (location.pathname === '/silent-callback') await new UserManager(common).signinSilentCallback();
  },
});
