import type { AuthorizationServer } from 'oauth4webapi';
import * as oauth from 'oauth4webapi';
import { SsoError } from '../errors.js';
import { toSsoError } from './errors.js';

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
 * Checks an authorization response against its transaction: `iss` (RFC 9207: must equal the
 * issuer, and must be there when the provider advertises it), `state`, and the provider's
 * `error`. Returns the parameters for the code exchange.
 * @see https://datatracker.ietf.org/doc/html/rfc9207#section-2.4
 */
export function checkAuthorizationResponse(
  as: AuthorizationServer,
  clientId: string,
  params: URLSearchParams,
  expectedState: string,
): URLSearchParams {
  const iss = params.get('iss');
  if (iss !== null ? iss !== as.issuer : as.authorization_response_iss_parameter_supported === true) {
    throw new SsoError('issuer_mismatch', 'The authorization response comes from another issuer (RFC 9207)');
  }
  if (params.get('state') !== expectedState) {
    throw new SsoError('state_mismatch', 'The authorization response does not match the transaction');
  }
  try {
    return oauth.validateAuthResponse(as, { client_id: clientId }, params, expectedState);
  } catch (error) {
    throw toSsoError(error);
  }
}
