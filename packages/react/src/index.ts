/**
 * `sso-spa-react`: React bindings for `sso-spa` (a provider, hooks and route guards), with the
 * surface of `@auth0/auth0-react`.
 * @module sso-spa-react
 */
export { type AuthState, hasAuthParams, type ReactSsoClient } from './auth-store.js';
export { SsoContext, SsoProvider, type SsoProviderProps } from './SsoProvider.js';
export { type NavigationExtender, useExtendOnNavigation } from './useExtendOnNavigation.js';
export { type SessionSource, useSessionState } from './useSessionState.js';
export { type SsoContextValue, useSso } from './useSso.js';
export { type WithAuthenticationRequiredOptions, withAuthenticationRequired } from './withAuthenticationRequired.js';
export { type WithAuth0Props, type WithSsoProps, withAuth0, withSso } from './withSso.js';
