import { createContext, type ReactNode, useEffect, useLayoutEffect, useState } from 'react';
import { SsoClient, type SsoClientOptions, sameOriginPath, type User } from 'sso-spa';
import { type AuthStore, createAuthStore, type ReactSsoClient } from './auth-store.js';

/** The context `useSso()` reads; exported for tests and for advanced composition only. */
export const SsoContext = createContext<AuthStore | undefined>(undefined);

interface CommonProps {
  children?: ReactNode;
  /**
   * Called after a login redirect comes back, with the `appState` given to
   * `loginWithRedirect` and the user who just signed in. By default the bindings go to `appState.targetUrl` when it is a
   * same-origin path, and otherwise clean the URL to the current path.
   */
  onRedirectCallback?: (appState: unknown, user?: User) => void;
  /** Leave the callback to the app (for example when another library uses `code`/`state`). */
  skipRedirectCallback?: boolean;
}

/** Either a ready client (shared with non-React code), or the options to make one. */
export type SsoProviderProps = CommonProps &
  (
    | {
        /** A client made elsewhere (e.g. with `createSsoClient`), shared with non-React code. */
        client: ReactSsoClient;
      }
    | (SsoClientOptions & {
        /** Absent: the provider makes its own `SsoClient` from the other props. */
        client?: undefined;
      })
  );

/**
 * Goes to `appState.targetUrl` when it is a same-origin path, else stays on the current path.
 * The login already succeeded, so it never throws: the current path itself is checked too (a
 * callback URL like `https://app//evil/x` has the host-like path `//evil/x`, which
 * `replaceState` would refuse with a SecurityError), and a refused address ends at `/`.
 */
function defaultOnRedirectCallback(appState: unknown): void {
  const target = (appState as { targetUrl?: unknown } | undefined)?.targetUrl;
  const path = sameOriginPath(target, sameOriginPath(window.location.pathname));
  try {
    window.history.replaceState(window.history.state, '', path);
  } catch {
    window.history.replaceState(window.history.state, '', '/');
  }
}

/** `useLayoutEffect` in the browser; on a server (which runs no effect) `useEffect`, which does not warn there. */
const useStartEffect = typeof window === 'undefined' ? useEffect : useLayoutEffect;

/**
 * Makes the session available to `useSso()` below it. On mount it handles a redirect
 * callback when the URL carries one, and otherwise checks the session silently.
 */
export function SsoProvider(props: SsoProviderProps) {
  const { children, onRedirectCallback = defaultOnRedirectCallback, skipRedirectCallback = false } = props;
  const [store] = useState(() => {
    const client = props.client ?? new SsoClient(withoutProviderProps(props as SsoClientOptions & CommonProps));
    return createAuthStore(client);
  });

  // In an effect, not at creation: Strict Mode's simulated unmount (and a real one) must not
  // leave a listener on a client that outlives this provider.
  useEffect(() => store.connect(), [store]);

  // A layout effect runs as soon as the provider is in the document, before the browser paints:
  // the silent check (an iframe or a top-level round trip to the provider) starts a frame
  // earlier than from a passive effect, which waits for the first paint.
  useStartEffect(() => {
    void store.start({ url: window.location.href, skipRedirectCallback, onRedirectCallback });
    // start() runs once per store, so later prop changes cannot handle a callback twice.
  }, [store, skipRedirectCallback, onRedirectCallback]);

  return <SsoContext.Provider value={store}>{children}</SsoContext.Provider>;
}

function withoutProviderProps(props: SsoClientOptions & CommonProps): SsoClientOptions {
  const { children: _children, onRedirectCallback: _onRedirect, skipRedirectCallback: _skip, ...options } = props;
  return options;
}
