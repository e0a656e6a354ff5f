import { SsoError } from '../errors.js';
import type { ProviderMetadata } from './discovery.js';
import { providerError } from './errors.js';

/** Authorization response parameters that must not stay in the address bar. */
export const RESPONSE_PARAMS = ['code', 'state', 'iss', 'error', 'error_description', 'error_uri', 'session_state'] as const;

/**
 * The authorization response parameters of a callback URL: the query, or the fragment when the
 * query has no `state`.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthResponse
 */
export function responseParams(url: string): URLSearchParams {
  const parsed = new URL(url);
  return parsed.searchParams.has('state') || !parsed.hash ? parsed.searchParams : new URLSearchParams(parsed.hash.slice(1));
}

/** True when `url` carries an authorization response (`state` with `code` or `error`). */
export function isCallbackUrl(url: string): boolean {
  const params = responseParams(url);
  return params.has('state') && (params.has('code') || params.has('error'));
}

/** `url` without the authorization response parameters, or `undefined` when it had none. */
export function cleanedUrl(url: string): string | undefined {
  const parsed = new URL(url);
  let changed = false;
  for (const name of RESPONSE_PARAMS) {
    if (parsed.searchParams.has(name)) {
      parsed.searchParams.delete(name);
      changed = true;
    }
  }
  if (parsed.hash && new URLSearchParams(parsed.hash.slice(1)).has('state')) {
    parsed.hash = '';
    changed = true;
  }
  return changed ? parsed.href : undefined;
}

/**
 * Throws `invalid_response` when a response parameter (`state`, `code`, `iss`, `error`, …)
 * appears more than once: which value counts would otherwise depend on the parser, and a
 * second `state` or `iss` could slip past the check of the first.
 */
export function checkNoRepeats(params: URLSearchParams): void {
  if (RESPONSE_PARAMS.some((name) => params.getAll(name).length > 1)) {
    throw new SsoError('invalid_response', 'Repeated response parameter');
  }
}

/**
 * Checks an authorization response against its transaction: no repeated parameter, `iss` (RFC 9207: must equal the
 * issuer, and must be there when the provider advertises it), `state`, then the provider's
 * `error`, and finally that there is a code and nothing of the implicit, hybrid or JARM flows.
 * Returns the authorization code.
 * @see https://datatracker.ietf.org/doc/html/rfc9207#section-2.4
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthResponseValidation
 */
export function checkAuthorizationResponse(as: ProviderMetadata, params: URLSearchParams, expectedState: string): string {
  checkNoRepeats(params);
  const iss = params.get('iss');
  if (iss !== null ? iss !== as.issuer : as.authorization_response_iss_parameter_supported === true) {
    throw new SsoError('issuer_mismatch', 'Response from another issuer (RFC 9207)');
  }
  if (params.get('state') !== expectedState) {
    throw new SsoError('state_mismatch', 'Response state mismatch');
  }
  const error = params.get('error');
  if (error !== null) throw providerError(error, params.get('error_description') ?? undefined);
  const code = params.get('code');
  if (!code || params.has('id_token') || params.has('access_token') || params.has('response')) {
    throw new SsoError('invalid_response', 'Not a code response');
  }
  return code;
}
