import { SsoError, type SsoErrorCode } from '../errors.js';

/**
 * What an error of a silent (`prompt=none`) authorization request means for the app. Providers
 * that demand `id_token_hint` answer `invalid_request` to a request without one (a site that
 * never signed anyone in) or with one they no longer accept: there is no session to use
 * silently, which is `login_required`; the provider's own word stays in `error`.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest (id_token_hint)
 */
export function silentRequestError(error: unknown): SsoError {
  const typed = toSsoError(error);
  if (typed.code !== 'oauth_error' || typed.error !== 'invalid_request') return typed;
  return new SsoError('login_required', 'Silent request refused (invalid_request)', {
    error: typed.error,
    ...(typed.errorDescription === undefined ? {} : { errorDescription: typed.errorDescription }),
  });
}

/**
 * Turns anything thrown while talking to the provider into an {@link SsoError}. Library
 * errors may carry request or response data (tokens included) in `cause`, so only their
 * name and message are kept: a token never travels with the error.
 */
export function toSsoError(error: unknown, fallback: SsoErrorCode = 'invalid_response'): SsoError {
  if (error instanceof SsoError) return error;
  let cause: Error | undefined;
  if (error instanceof Error) {
    cause = new Error(error.message);
    cause.name = error.name;
  }
  return new SsoError(fallback, 'Unexpected failure talking to the provider', { cause });
}
