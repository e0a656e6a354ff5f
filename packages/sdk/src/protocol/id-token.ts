import { SsoError } from '../errors.js';
import type { IdTokenClaims } from '../types.js';
import { decodeJwtPart } from './claims.js';

/** What an ID token must match. Times in seconds. */
export interface IdTokenExpectations {
  issuer: string;
  clientId: string;
  /** The `nonce` sent; `undefined` for refresh-token responses, where the nonce need not be repeated. */
  nonce?: string;
  /** `max_age` sent, if any: `auth_time` is then required and must be recent enough. */
  maxAge?: number;
  /** The `sub` the token must have (refresh: the same user). */
  sub?: string;
  /** Accepted `alg` values. */
  algs: readonly string[];
  now: number;
  leeway: number;
}

/**
 * The signing algorithms accepted by default: what the provider advertises, without `none`
 * and without the HMAC family (a public client has no secret to check them with).
 */
export function defaultAlgs(advertised: unknown): string[] {
  const list = Array.isArray(advertised) ? advertised.filter((alg): alg is string => typeof alg === 'string') : ['RS256'];
  return list.filter((alg) => alg !== 'none' && !alg.startsWith('HS'));
}

const invalid = (reason: string) => new SsoError('invalid_id_token', `Invalid ID token: ${reason}`);

/**
 * Validates the ID token's header `alg` and claims (OpenID Connect Core §3.1.3.7, steps 2–4,
 * 6 alg, 9–13): `iss` exact, `aud` is exactly this client (no extra untrusted audience),
 * `azp` when present is this client, `exp`/`iat` numbers within `leeway`, `nonce` equal,
 * `sub` a non-empty string of at most 255 characters, `auth_time` with `max_age`.
 * The signature itself is not verified: the token came straight from the token endpoint over
 * TLS, which §3.1.3.7 step 6 allows.
 * Throws `clock_skew` when the claims only fail because the device clock is off.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation
 */
export function validateIdToken(idToken: string, expect: IdTokenExpectations): IdTokenClaims {
  const header = decodeJwtPart(idToken, 0);
  const claims = decodeJwtPart(idToken, 1);
  if (!header || !claims) throw invalid('malformed JWT');
  if (typeof header.alg !== 'string' || !expect.algs.includes(header.alg)) throw invalid('signing algorithm not allowed');
  if (claims.iss !== expect.issuer) throw invalid('iss is not the issuer');
  const aud = claims.aud;
  const audiences = Array.isArray(aud) ? aud : [aud];
  if (!audiences.includes(expect.clientId)) throw invalid('aud does not contain the client');
  if (audiences.length !== 1) throw invalid('aud contains untrusted audiences');
  if (claims.azp !== undefined && claims.azp !== expect.clientId) throw invalid('azp is not the client');
  const { exp, iat, sub } = claims;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) throw invalid('exp is missing');
  if (typeof iat !== 'number' || !Number.isFinite(iat)) throw invalid('iat is missing');
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 255) throw invalid('sub is missing or malformed');
  if (expect.sub !== undefined && sub !== expect.sub) throw invalid('sub changed');
  if (
    expect.nonce !== undefined ? claims.nonce !== expect.nonce : claims.nonce !== undefined && typeof claims.nonce !== 'string'
  ) {
    throw invalid('nonce does not match');
  }
  if (exp <= expect.now - expect.leeway || iat > expect.now + expect.leeway) {
    // A token fresh from the token endpoint has iat ≈ the provider's now: minutes away from
    // ours (beyond the leeway) means our clock is off, and renewing again would not help.
    if (Math.abs(iat - expect.now) > expect.leeway + 300 && exp > iat) {
      throw new SsoError('clock_skew', 'Check the device clock');
    }
    throw invalid(exp <= expect.now - expect.leeway ? 'expired' : 'issued in the future');
  }
  if (expect.maxAge !== undefined) {
    const authTime = claims.auth_time;
    if (typeof authTime !== 'number') throw invalid('no auth_time for max_age');
    if (authTime + expect.maxAge < expect.now - expect.leeway) throw invalid('auth_time older than max_age');
  }
  return { ...claims, __raw: idToken } as IdTokenClaims;
}
