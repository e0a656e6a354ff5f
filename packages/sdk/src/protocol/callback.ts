import { SsoError } from '../errors.js';

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
