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
  SsoClient,
  User,
} from 'sso-spa';

/** What the React bindings need from a client: the public methods of `SsoClient`. */
export type ReactSsoClient = Pick<
  SsoClient,
  | 'checkSession'
  | 'handleRedirectCallback'
  | 'loginWithRedirect'
  | 'loginWithPopup'
  | 'getTokenWithPopup'
  | 'getIdTokenClaims'
  | 'revokeRefreshToken'
  | 'logout'
  | 'getTokenSilently'
  | 'getUser'
  | 'isAuthenticated'
  | 'subscribe'
>;

/** The session as the React bindings show it; one immutable snapshot per change. */
export interface AuthState {
  /** True until the first answer about the session is known (callback handled or silent check done). */
  isLoading: boolean;
  /** True while this site has a session (a cached, unended login). */
  isAuthenticated: boolean;
  /** The signed-in user's profile claims, or `undefined` when signed out. */
  user: User | undefined;
  /** The last error from the callback or the silent check; `login_required` is not an error. */
  error: Error | undefined;
}

/** The external store behind `useSso()`; internal to the bindings. */
export interface AuthStore {
  getSnapshot(): AuthState;
  subscribe(listener: () => void): () => void;
  /**
   * Listens to the client's events (sign-in and sign-out in other tabs, renewals) until the
   * returned function is called. The provider connects in an effect, so an unmount (or Strict
   * Mode's simulated one) leaves no listener behind.
   */
  connect(): () => void;
  /** Re-reads the client's view, e.g. after a login elsewhere or a renewal. */
  refresh(): Promise<void>;
  /**
   * Runs once per store: handles the redirect callback when the URL carries one, otherwise
   * checks the session silently. Safe under React's Strict Mode double effects.
   */
  start(options: StartOptions): Promise<void>;
  loginWithRedirect(options?: RedirectLoginOptions): Promise<void>;
  loginWithPopup(options?: PopupLoginOptions, config?: PopupConfigOptions): Promise<void>;
  handleRedirectCallback(url?: string): Promise<RedirectLoginResult>;
  /** Resolves with the client's result: `{ provider: 'not_supported' }` means the provider's SSO session may still be alive. */
  logout(options?: LogoutOptions): Promise<LogoutResult>;
  getAccessTokenSilently(options?: GetTokenSilentlyOptions): Promise<string>;
  getAccessTokenWithPopup(options?: GetTokenWithPopupOptions, config?: PopupConfigOptions): Promise<string>;
  getIdTokenClaims(): Promise<IdTokenClaims | undefined>;
  revokeRefreshToken(): Promise<void>;
}

/** What {@link AuthStore.start} needs from the provider's props. */
export interface StartOptions {
  /** The URL to inspect for a callback; `window.location.href` by default. */
  url: string;
  skipRedirectCallback: boolean;
  onRedirectCallback: (appState: unknown, user: User | undefined) => void;
}

const initialState: AuthState = { isLoading: true, isAuthenticated: false, user: undefined, error: undefined };

/** True when `url` carries an authorization response (`code` or `error`, with `state`). */
export function hasAuthParams(url: string): boolean {
  const params = new URL(url).searchParams;
  return params.has('state') && (params.has('code') || params.has('error'));
}

/**
 * The external store behind `useSso()`: one immutable snapshot per change, so React's
 * `useSyncExternalStore` re-renders exactly when the session changes.
 */
export function createAuthStore(client: ReactSsoClient): AuthStore {
  let state = initialState;
  let started: Promise<void> | undefined;
  // Until the start-up check (or callback) has settled, the client's own events (its
  // `session_check` reports, tokens) must not end the loading: the check may still go on to a
  // top-level redirect, which a protected route's login redirect would race and abort. The
  // start ends with a refresh of its own that shows whatever those events announced.
  let settled = false;
  // While a logout sends the browser to the provider, the page must not react to its own
  // signed-out state: a protected route would otherwise start a login redirect that races
  // the logout navigation.
  let leaving = false;
  const listeners = new Set<() => void>();

  const set = (next: Partial<AuthState>) => {
    const merged = { ...state, ...next };
    if (
      merged.isLoading === state.isLoading &&
      merged.isAuthenticated === state.isAuthenticated &&
      merged.user === state.user &&
      merged.error === state.error
    ) {
      return;
    }
    state = merged;
    for (const listener of listeners) listener();
  };

  const refresh = async () => {
    const isAuthenticated = await client.isAuthenticated();
    const user = isAuthenticated ? await client.getUser() : undefined;
    // Keep the same user object when nothing changed, so components do not re-render.
    const sameUser = user && state.user && JSON.stringify(user) === JSON.stringify(state.user);
    set({ isAuthenticated, user: sameUser ? state.user : user, isLoading: false });
  };

  // Runs `action`, then shows the session it left, also when it failed (a popup closed halfway
  // may still have changed nothing, or a renewal may have signed the user out).
  const thenRefresh = async <T>(action: () => Promise<T>): Promise<T> => {
    let result: T;
    try {
      result = await action();
    } catch (error) {
      await refresh().catch(() => {});
      throw error;
    }
    await refresh();
    return result;
  };

  return {
    getSnapshot: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    connect() {
      return client.subscribe(() => {
        if (settled && !leaving) void refresh().catch((error: unknown) => set({ error: asError(error) }));
      });
    },
    refresh,
    start(options) {
      started ??= (async () => {
        try {
          if (!options.skipRedirectCallback && hasAuthParams(options.url)) {
            const { appState } = await client.handleRedirectCallback(options.url);
            await refresh();
            options.onRedirectCallback(appState, state.user);
          } else {
            await client.checkSession();
            // The check went on to a top-level redirect: stay loading until the page goes, so that
            // no protected route starts a login redirect that would race (and abort) it.
            if ((client as { lastSessionCheck?: { status: string } }).lastSessionCheck?.status === 'redirecting') return;
          }
        } catch (error) {
          set({ error: asError(error) });
        }
        settled = true;
        await refresh().catch((error: unknown) => set({ error: asError(error), isLoading: false }));
      })();
      return started;
    },
    async loginWithRedirect(options) {
      await client.loginWithRedirect(options);
    },
    loginWithPopup(options, config) {
      // No await before the client's call: the popup must open in the click's own task.
      return thenRefresh(() => client.loginWithPopup(options, config));
    },
    handleRedirectCallback(url) {
      return thenRefresh(() => client.handleRedirectCallback(url));
    },
    getAccessTokenWithPopup(options, config) {
      return thenRefresh(() => client.getTokenWithPopup(options, config));
    },
    getIdTokenClaims() {
      return client.getIdTokenClaims();
    },
    revokeRefreshToken() {
      return client.revokeRefreshToken();
    },
    async logout(options) {
      leaving = options?.openUrl !== false;
      let result: LogoutResult;
      try {
        result = await client.logout(options);
      } catch (error) {
        leaving = false;
        await refresh();
        throw error;
      }
      // Without a provider logout to go to (and no same-origin returnTo) the page stays: show it signed out.
      if (result.provider !== 'redirected') leaving = false;
      if (!leaving) await refresh();
      return result;
    },
    getAccessTokenSilently(options) {
      return thenRefresh(async () => (await client.getTokenSilently({ ...options, detailedResponse: false })) as string);
    },
  };
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
