/**
 * `sso-spa`: the OpenID Connect client (authorization code + PKCE), its token cache, silent
 * renewal, logout and typed errors, for any standards OpenID provider.
 * @module sso-spa
 */
export { createSsoClient, SsoClient } from './client/client.js';
export {
  AuthenticationError,
  GenericError,
  isNoSessionError,
  isSsoError,
  MissingRefreshTokenError,
  NO_SESSION_CODES,
  PopupCancelledError,
  PopupOpenError,
  PopupTimeoutError,
  SSO_ERROR_CODES,
  SsoError,
  type SsoErrorCode,
  type SsoErrorOptions,
  TimeoutError,
} from './errors.js';
export { type TokenExpiryEvent, type TokenExpiryOptions, watchTokenExpiry } from './expiry.js';
export { handleSilentCallback } from './navigators/silent-callback.js';
export type { SsoClientOptions } from './options.js';
export type { StorageLike } from './platform.js';
export { sameOriginPath } from './safe-url.js';
export { type CustomCache, LocalStorageCache, MemoryCache } from './store/cache-store.js';
export type {
  AuthorizationParams,
  CheckSessionOptions,
  GetTokenSilentlyOptions,
  GetTokenWithPopupOptions,
  IdTokenClaims,
  LogoutOptions,
  LogoutResult,
  PopupConfigOptions,
  PopupLoginOptions,
  RedirectLoginOptions,
  RedirectLoginResult,
  SessionCheckResult,
  SessionCheckStatus,
  SignedOutReason,
  SsoClientEvent,
  TokenDetails,
  TokenSource,
  User,
} from './types.js';
export { SIGNED_OUT_REASONS, TOKEN_SOURCES } from './vocabulary.js';
