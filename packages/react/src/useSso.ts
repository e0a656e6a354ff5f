import { useContext, useMemo, useSyncExternalStore } from 'react';
import type { GetTokenSilentlyOptions, LogoutOptions, LogoutResult, RedirectLoginOptions } from 'sso-spa';
import type { AuthState } from './auth-store.js';
import { SsoContext } from './SsoProvider.js';

export interface SsoContextValue extends AuthState {
  loginWithRedirect(options?: RedirectLoginOptions): Promise<void>;
  /**
   * Clears this site's session in every tab and goes to the provider's logout. Resolves with
   * `{ provider: 'not_supported' }` when the provider has no end-session endpoint: its SSO
   * session may still be alive, which the app may want to tell the user.
   */
  logout(options?: LogoutOptions): Promise<LogoutResult>;
  /** An access token from the cache, or renewed silently; callers never handle expiry. */
  getAccessTokenSilently(options?: GetTokenSilentlyOptions): Promise<string>;
}

/** The session as React state: re-renders when it changes. Must be used under `<SsoProvider>`. */
export function useSso(): SsoContextValue {
  const store = useContext(SsoContext);
  if (!store) throw new Error('useSso() must be used inside <SsoProvider>');
  const state = useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
  const actions = useMemo(
    () => ({
      loginWithRedirect: store.loginWithRedirect,
      logout: store.logout,
      getAccessTokenSilently: store.getAccessTokenSilently,
    }),
    [store],
  );
  return useMemo(() => ({ ...state, ...actions }), [state, actions]);
}
