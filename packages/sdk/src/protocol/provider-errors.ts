import { SsoError, type SsoErrorCode } from '../errors.js';

/** Provider `error` values that keep their own name as the SDK code. */
const KNOWN: ReadonlySet<string> = new Set<SsoErrorCode>([
  'login_required',
  'consent_required',
  'interaction_required',
  'account_selection_required',
  'access_denied',
  'invalid_grant',
]);

/**
 * Maps a provider's `error` / `error_description` (authorization or token endpoint) to a
 * typed error. The description is untrusted text: kept as data, never put in the message.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthError
 * @see https://datatracker.ietf.org/doc/html/rfc6749#section-5.2
 */
export function providerError(error: string, description?: string, status?: number): SsoError {
  const code = (KNOWN.has(error) ? error : 'oauth_error') as SsoErrorCode;
  return new SsoError(code, `The provider answered ${JSON.stringify(error.slice(0, 64))}`, {
    error,
    ...(description === undefined ? {} : { errorDescription: description }),
    ...(status === undefined ? {} : { status }),
  });
}

/**
 * Reads a failed token endpoint response (any status but 200): a JSON `error` body keeps the
 * provider's words. Some providers answer with an empty or non-JSON body: on a refresh grant a
 * 400 can then only mean that the refresh token is no longer good (`invalid_grant`, so it is
 * dropped rather than resent); otherwise it becomes `server_error` (5xx) or `invalid_response`,
 * always with the HTTP status.
 * @see https://datatracker.ietf.org/doc/html/rfc6749#section-5.2
 */
export async function tokenEndpointError(response: Response, grantType?: string): Promise<SsoError> {
  const status = response.status;
  let body: unknown;
  try {
    body = JSON.parse(await response.text());
  } catch {
    body = undefined;
  }
  const { error, error_description } = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  if (typeof error === 'string' && error) {
    return providerError(error, typeof error_description === 'string' ? error_description : undefined, status);
  }
  if (status === 400 && grantType === 'refresh_token') {
    return new SsoError('invalid_grant', 'Refresh token refused (HTTP 400)', {
      status,
    });
  }
  return new SsoError(status >= 500 ? 'server_error' : 'invalid_response', `The token endpoint failed with HTTP ${status}`, {
    status,
  });
}
