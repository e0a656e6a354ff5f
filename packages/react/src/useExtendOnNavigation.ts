import { useCallback } from 'react';

/** The part of `sso-spa/session`'s manager that extends the SSO session on navigation. */
export interface NavigationExtender {
  /** True when it took the navigation through the provider (the router must not navigate). */
  extendOnNavigation(targetUrl?: string): boolean;
}

/**
 * Wraps your router's navigate function so that, where the SSO session can only be extended by
 * a top-level round trip (third-party cookies blocked) and the user has been active, an in-app
 * navigation goes through the provider instead: no form, the user lands on the page they asked
 * for, the session extended, and the idle warning does not interrupt them. Otherwise it
 * navigates as usual. `to` is a path (or URL) of this app.
 *
 * @example
 * const navigate = useExtendOnNavigation(session, useNavigate()); // react-router
 * <a href="/orders" onClick={(e) => { e.preventDefault(); navigate('/orders'); }}>Orders</a>
 */
export function useExtendOnNavigation<Rest extends unknown[]>(
  session: NavigationExtender | undefined,
  navigate: (to: string, ...rest: Rest) => void,
): (to: string, ...rest: Rest) => void {
  return useCallback(
    (to: string, ...rest: Rest) => {
      if (!session?.extendOnNavigation(to)) navigate(to, ...rest);
    },
    [session, navigate],
  );
}
