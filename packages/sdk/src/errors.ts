/**
 * Every failure the SDK reports, as a closed union so callers branch on `code`, never on
 * message text. The first four are the provider's own words for "no session without the
 * user" (OpenID Connect Core §3.1.2.6); the rest are the SDK's.
 */
export const SSO_ERROR_CODES = [
  'login_required',
  'consent_required',
  'interaction_required',
  'account_selection_required',
  'access_denied',
  'state_mismatch',
  'issuer_mismatch',
  'invalid_id_token',
  'invalid_signature',
  'invalid_response',
  'invalid_grant',
  'missing_refresh_token',
  'oauth_error',
  'server_error',
  'discovery_failed',
  'timeout',
  'network',
  'popup_blocked',
  'popup_closed',
  'storage_unavailable',
  'invalid_options',
  'clock_skew',
  'user_changed',
  'cancelled',
  'dpop_failed',
] as const;

/** One of {@link SSO_ERROR_CODES}. */
export type SsoErrorCode = (typeof SSO_ERROR_CODES)[number];

/** What an {@link SsoError} carries besides its code and message. */
export interface SsoErrorOptions {
  /** The underlying error (a network failure, a parse error), as the standard `Error.cause`. */
  cause?: unknown;
  /** The provider's `error`, as it sent it. */
  error?: string;
  /** The provider's `error_description`: untrusted text, never rendered as HTML. */
  errorDescription?: string;
  /** HTTP status of the response that failed, where there was one. */
  status?: number;
}

/**
 * Marks errors of every copy of this module (each entry point, each bundle that inlines it),
 * so `instanceof SsoError` and {@link isSsoError} hold across them.
 */
const BRAND = Symbol.for('sso-spa.error');

/**
 * The one error class the SDK throws. Branch on `code`. Messages never contain tokens, codes
 * or verifiers. For code written for `@auth0/auth0-spa-js`, `error` and `error_description`
 * are set on every error: the provider's words when it sent some, else the SDK's own code and
 * message.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthError
 * @see https://datatracker.ietf.org/doc/html/rfc6749#section-5.2
 */
export class SsoError extends Error {
  /** Always `'SsoError'`, so the name survives minification and crosses realms. */
  override readonly name = 'SsoError';
  /** The stable, typed code to branch on (messages may change). */
  readonly code: SsoErrorCode;
  /** The provider's `error`, or the SDK's `code` when the provider sent none. */
  readonly error: string;
  /** The provider's `error_description` (untrusted text), or the SDK's message. */
  readonly error_description: string;
  /** The provider's `error_description` only, when it sent one (untrusted text). */
  readonly errorDescription: string | undefined;
  /** HTTP status of the response that failed, where there was one. */
  readonly status: number | undefined;

  constructor(code: SsoErrorCode, message: string, options: SsoErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.error = options.error ?? code;
    this.errorDescription = options.errorDescription;
    this.error_description = options.errorDescription ?? message;
    this.status = options.status;
    (this as unknown as Record<symbol, true>)[BRAND] = true;
  }

  /** `instanceof SsoError` holds for an SsoError from any copy of the SDK (another bundle or realm), by its brand. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}

/**
 * `instanceof`-compatible stand-ins for the error classes of `@auth0/auth0-spa-js`, so its
 * `catch` blocks keep working after the change of import: each matches the {@link SsoError}s
 * of the codes it stands for. They cannot be constructed; the SDK throws only `SsoError`.
 */
const errorKind = (
  ...codes: SsoErrorCode[]
): {
  /** `instanceof` holds for an {@link SsoError} of one of this kind's codes. */
  [Symbol.hasInstance](value: unknown): value is SsoError;
} => ({
  [Symbol.hasInstance]: (value: unknown): value is SsoError =>
    value instanceof SsoError && (codes.length === 0 || codes.includes(value.code)),
});

/** Any {@link SsoError} (auth0-spa-js `GenericError`). */
export const GenericError = /* @__PURE__ */ errorKind();
/** An error answer to a login: the provider's error or a response that fails its checks (auth0-spa-js `AuthenticationError`). */
export const AuthenticationError = /* @__PURE__ */ errorKind(
  'login_required',
  'consent_required',
  'interaction_required',
  'account_selection_required',
  'access_denied',
  'state_mismatch',
  'issuer_mismatch',
  'oauth_error',
);
/** `timeout` (auth0-spa-js `TimeoutError`). */
export const TimeoutError = /* @__PURE__ */ errorKind('timeout');
/** `timeout`, of a popup among others (auth0-spa-js `PopupTimeoutError`). */
export const PopupTimeoutError = /* @__PURE__ */ errorKind('timeout');
/** `popup_closed` (auth0-spa-js `PopupCancelledError`). */
export const PopupCancelledError = /* @__PURE__ */ errorKind('popup_closed');
/** `popup_blocked` (auth0-spa-js `PopupOpenError`). */
export const PopupOpenError = /* @__PURE__ */ errorKind('popup_blocked');
/** `missing_refresh_token` (auth0-spa-js `MissingRefreshTokenError`). */
export const MissingRefreshTokenError = /* @__PURE__ */ errorKind('missing_refresh_token');

/**
 * The codes that mean "the provider has no session it can use without the user": the four of
 * OpenID Connect Core §3.1.2.6, whichever a provider prefers. The SDK also reports with
 * `interaction_required` a silent request that the provider answered with a page instead of a
 * response (its login page, which refuses to be framed), and with `login_required` an
 * `invalid_request` to a silent request (providers that demand `id_token_hint`); the provider's
 * own word, if it sent one, stays in `error`.
 */
export const NO_SESSION_CODES = [
  'login_required',
  'consent_required',
  'interaction_required',
  'account_selection_required',
] as const satisfies readonly SsoErrorCode[];

/** True when `error` means there is no session to use silently (see {@link NO_SESSION_CODES}). */
export function isNoSessionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (NO_SESSION_CODES as readonly unknown[]).includes(code);
}

/** True for an {@link SsoError}, optionally with one of the given codes. */
export function isSsoError(value: unknown, ...codes: SsoErrorCode[]): value is SsoError {
  return value instanceof SsoError && (codes.length === 0 || codes.includes(value.code));
}
