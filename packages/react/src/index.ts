export { type AuthState, hasAuthParams, type ReactSsoClient } from './auth-store.js';
export { SsoContext, SsoProvider, type SsoProviderProps } from './SsoProvider.js';
export { type SessionSource, useSessionState } from './useSessionState.js';
export { type SsoContextValue, useSso } from './useSso.js';
export { type WithAuthenticationRequiredOptions, withAuthenticationRequired } from './withAuthenticationRequired.js';
export { type WithSsoProps, withSso } from './withSso.js';
