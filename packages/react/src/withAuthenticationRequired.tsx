import { type ComponentType, type ReactNode, useEffect, useRef } from 'react';
import type { RedirectLoginOptions } from 'sso-spa';
import { useSso } from './useSso.js';

/** Options of {@link withAuthenticationRequired}. */
export interface WithAuthenticationRequiredOptions {
  /** Shown while the session is checked and while the browser is sent to log in. */
  onRedirecting?: () => ReactNode;
  /**
   * Shown when the session ends while the page is open (idle timeout, logout in another tab,
   * ended at the provider). The user is not sent to the login form by surprise; the page
   * offers it. Default: nothing.
   */
  onSessionEnded?: () => ReactNode;
  /** Where to come back to; the current path, query and hash by default (deep linking). */
  returnTo?: string | (() => string);
  /** Extra options for the login redirect. */
  loginOptions?: RedirectLoginOptions;
  /**
   * Awaited before the login redirect starts, e.g. to save unsent form data or to record
   * analytics. If it rejects, the redirect does not happen.
   */
  onBeforeAuthentication?: () => Promise<void> | void;
}

/**
 * The protected-route pattern: renders `Component` for a signed-in user, and otherwise sends
 * the browser to log in with the current path in `appState.targetUrl`, so that the
 * `<SsoProvider>`'s redirect callback brings the user back to the same page.
 */
export function withAuthenticationRequired<P extends object>(
  Component: ComponentType<P>,
  options: WithAuthenticationRequiredOptions = {},
): ComponentType<P> {
  const { onRedirecting = () => null, onSessionEnded = () => null, returnTo, loginOptions, onBeforeAuthentication } = options;
  function WithAuthenticationRequired(props: P) {
    const { isLoading, isAuthenticated, loginWithRedirect } = useSso();
    const wasAuthenticated = useRef(false);
    // One login per mount: Strict Mode runs effects twice, and a second redirect (and a second
    // onBeforeAuthentication) would race the first.
    const redirecting = useRef(false);
    if (isAuthenticated) wasAuthenticated.current = true;
    const ended = wasAuthenticated.current && !isAuthenticated;
    useEffect(() => {
      if (isLoading || isAuthenticated || ended || redirecting.current) return;
      redirecting.current = true;
      const targetUrl =
        typeof returnTo === 'function'
          ? returnTo()
          : (returnTo ?? `${window.location.pathname}${window.location.search}${window.location.hash}`);
      const appState = { ...((loginOptions?.appState as object | undefined) ?? {}), targetUrl };
      void (async () => {
        await onBeforeAuthentication?.();
        await loginWithRedirect({ ...loginOptions, appState });
      })().catch(() => {
        redirecting.current = false;
        // A rejected onBeforeAuthentication cancels the redirect; a failed redirect (discovery
        // unreachable) leaves the page as it is, and useSso().error is not ours to set here.
      });
    }, [isLoading, isAuthenticated, ended, loginWithRedirect]);
    if (isAuthenticated) return <Component {...props} />;
    return ended ? onSessionEnded() : onRedirecting();
  }
  WithAuthenticationRequired.displayName = `withAuthenticationRequired(${Component.displayName ?? Component.name ?? 'Component'})`;
  return WithAuthenticationRequired;
}
