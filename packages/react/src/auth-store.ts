import type { GetTokenSilentlyOptions, LogoutOptions, LogoutResult, RedirectLoginOptions, SsoClient, User } from 'sso-spa';

/** What the React bindings need from a client: the public methods of `SsoClient`. */
export type ReactSsoClient = Pick<
  SsoClient,
  | 'checkSession'
  | 'handleRedirectCallback'
  | 'loginWithRedirect'
  | 'logout'
  | 'getTokenSilently'
  | 'getUser'
  | 'isAuthenticated'
  | 'subscribe'
>;

export interface AuthState {
  /** True until the first answer about the session is known (callback handled or silent check done). */
  isLoading: boolean;
  isAuthenticated: boolean;
  user: User | undefined;
  /** The last error from the callback or the silent check; `login_required` is not an error. */
  error: Error | undefined;
}

export interface AuthStore {
  getSnapshot(): AuthState;
  subscribe(listener: () => void): () => void;
  /** Re-reads the client's view, e.g. after a login elsewhere or a renewal. */
  refresh(): Promise<void>;
  /**
   * Runs once per store: handles the redirect callback when the URL carries one, otherwise
   * checks the session silently. Safe under React's Strict Mode double effects.
   */
  start(options: StartOptions): Promise<void>;
  loginWithRedirect(options?: RedirectLoginOptions): Promise<void>;
  /** Resolves with the client's result: `{ provider: 'not_supported' }` means the provider's SSO session may still be alive. */
  logout(options?: LogoutOptions): Promise<LogoutResult>;
  getAccessTokenSilently(options?: GetTokenSilentlyOptions): Promise<string>;
}

export interface StartOptions {
  /** The URL to inspect for a callback; `window.location.href` by default. */
  url: string;
  skipRedirectCallback: boolean;
  onRedirectCallback: (appState: unknown) => void;
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

  client.subscribe(() => {
    if (started && !leaving) void refresh().catch((error: unknown) => set({ error: asError(error) }));
  });

  return {
    getSnapshot: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    refresh,
    start(options) {
      started ??= (async () => {
        try {
          if (!options.skipRedirectCallback && hasAuthParams(options.url)) {
            const { appState } = await client.handleRedirectCallback(options.url);
            await refresh();
            options.onRedirectCallback(appState);
          } else {
            await client.checkSession();
          }
        } catch (error) {
          set({ error: asError(error) });
        }
        await refresh().catch((error: unknown) => set({ error: asError(error), isLoading: false }));
      })();
      return started;
    },
    async loginWithRedirect(options) {
      await client.loginWithRedirect(options);
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
      if (!leaving) await refresh();
      return result;
    },
    async getAccessTokenSilently(options) {
      try {
        const token = await client.getTokenSilently({ ...options, detailedResponse: false });
        await refresh();
        return token as string;
      } catch (error) {
        await refresh().catch(() => {});
        throw error;
      }
    },
  };
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
