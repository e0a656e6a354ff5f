import { useContext, useMemo, useSyncExternalStore } from 'react';
import type {
  GetTokenSilentlyOptions,
  GetTokenWithPopupOptions,
  IdTokenClaims,
  LogoutOptions,
  LogoutResult,
  PopupConfigOptions,
  PopupLoginOptions,
  RedirectLoginOptions,
  RedirectLoginResult,
} from 'sso-spa';
import type { AuthState } from './auth-store.js';
import { SsoContext } from './SsoProvider.js';

/** What `useSso()` returns: the session state and the actions on it (like auth0-react's `useAuth0()`). */
export interface SsoContextValue extends AuthState {
  /** Sends the browser to the provider to log in; `options.appState` comes back to `onRedirectCallback`. */
  loginWithRedirect(options?: RedirectLoginOptions): Promise<void>;
  /**
   * Logs in through a popup, then updates the state. Call it from a click handler: the popup
   * opens before any await, as browsers require.
   */
  loginWithPopup(options?: PopupLoginOptions, config?: PopupConfigOptions): Promise<void>;
  /**
   * Completes a login redirect yourself (with `skipRedirectCallback` on the provider); `url` is
   * `window.location.href` by default. Updates the state and resolves with the `appState`.
   */
  handleRedirectCallback(url?: string): Promise<RedirectLoginResult>;
  /**
   * Clears this site's session in every tab and goes to the provider's logout. Resolves with
   * `{ provider: 'not_supported' }` when the provider has no end-session endpoint: its SSO
   * session may still be alive, which the app may want to tell the user.
   */
  logout(options?: LogoutOptions): Promise<LogoutResult>;
  /** An access token from the cache, or renewed silently; callers never handle expiry. */
  getAccessTokenSilently(options?: GetTokenSilentlyOptions): Promise<string>;
  /**
   * An access token for an audience or scope that needs the user (consent, step-up), asked in
   * a popup; a valid cached token is returned without one. Call it from a click handler.
   */
  getAccessTokenWithPopup(options?: GetTokenWithPopupOptions, config?: PopupConfigOptions): Promise<string>;
  /** All claims of the latest ID token, with the raw token as `__raw`; `undefined` when signed out. */
  getIdTokenClaims(): Promise<IdTokenClaims | undefined>;
  /**
   * Revokes this site's refresh tokens at the provider (RFC 7009) and forgets them, in every
   * tab. The user stays signed in with the cached tokens; use `logout()` to end the session.
   */
  revokeRefreshToken(): Promise<void>;
}

/** The session as React state: re-renders when it changes. Must be used under `<SsoProvider>`. */
export function useSso(): SsoContextValue {
  const store = useContext(SsoContext);
  if (!store) throw new Error('useSso() must be used inside <SsoProvider>');
  const state = useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
  const actions = useMemo(
    () => ({
      loginWithRedirect: store.loginWithRedirect,
      loginWithPopup: store.loginWithPopup,
      handleRedirectCallback: store.handleRedirectCallback,
      logout: store.logout,
      getAccessTokenSilently: store.getAccessTokenSilently,
      getAccessTokenWithPopup: store.getAccessTokenWithPopup,
      getIdTokenClaims: store.getIdTokenClaims,
      revokeRefreshToken: store.revokeRefreshToken,
    }),
    [store],
  );
  return useMemo(() => ({ ...state, ...actions }), [state, actions]);
}
