// RFC 9449 proof checks for a resource server: what a `DPoP` request header must say about the
// request it comes with and the access token it accompanies. The checks are pure (the time is
// passed in); the replay cache and the nonce source are the only state, each a small class.
import { createHash, randomBytes } from 'node:crypto';
import { calculateJwkThumbprint, EmbeddedJWK, type JWTPayload, errors as joseErrors, jwtVerify } from 'jose';

/** Asymmetric JWS algorithms a proof may use; symmetric ones and `none` can never prove possession. */
export const asymmetricAlgorithms = [
  'ES256',
  'ES384',
  'ES512',
  'Ed25519',
  'EdDSA',
  'PS256',
  'PS384',
  'PS512',
  'RS256',
  'RS384',
  'RS512',
];

/** The RFC 9449 error a refused proof is answered with, and a sentence for people. */
export class DpopError extends Error {
  constructor(
    readonly code: 'invalid_dpop_proof' | 'use_dpop_nonce',
    message: string,
  ) {
    super(message);
    this.name = 'DpopError';
  }
}

/** What the proof must match: this request and the access token it comes with. */
export interface ProofExpectations {
  /** The request method (`htm`). */
  method: string;
  /** The request URL; compared with `htu` without query and fragment. */
  url: string;
  /** The access token the proof must hash into `ath`. */
  accessToken: string;
  /** Epoch seconds now. */
  now: number;
  /** How far `iat` may be from `now`, either way, in seconds. */
  maxAgeSeconds: number;
  algorithms: string[];
}

/** A proof that passed: the key's RFC 7638 thumbprint, and what replay and nonce checks need. */
export interface VerifiedProof {
  thumbprint: string;
  jti: string;
  iat: number;
  nonce: string | undefined;
}

/** base64url(SHA-256(access token)): the proof's `ath`. */
export function accessTokenHash(accessToken: string): string {
  return createHash('sha256').update(accessToken).digest('base64url');
}

/** `htu` as RFC 9449 §4.3 compares it: normalized (RFC 3986 syntax), without query and fragment. */
function comparableUrl(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  url.search = '';
  url.hash = '';
  return url.href;
}

/**
 * Checks a proof JWT against the request and the access token (RFC 9449 §4.3 and §7.1):
 * `typ: dpop+jwt`, an allowed asymmetric `alg`, a public `jwk` in the header that verifies the
 * signature, `htm`, `htu`, `iat` within the window, a `jti`, and `ath`. Replay (`jti`), the
 * nonce and the token's key binding are the caller's: they need state or the token.
 * Throws `DpopError('invalid_dpop_proof')`.
 */
export async function verifyDpopProof(proof: string, expected: ProofExpectations): Promise<VerifiedProof> {
  let payload: JWTPayload;
  let jwk: Record<string, unknown>;
  try {
    // EmbeddedJWK refuses a header key that is not a public key (private members, `oct`).
    const verified = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: expected.algorithms });
    payload = verified.payload;
    jwk = verified.protectedHeader.jwk as Record<string, unknown>;
  } catch (error) {
    const reason =
      error instanceof joseErrors.JOSEAlgNotAllowed
        ? 'its algorithm is not accepted'
        : error instanceof joseErrors.JWTClaimValidationFailed && error.claim === 'typ'
          ? 'its typ is not dpop+jwt'
          : error instanceof joseErrors.JWSSignatureVerificationFailed
            ? 'its signature does not verify with its jwk'
            : 'it is not a JWT signed with the public key in its jwk header';
    throw new DpopError('invalid_dpop_proof', `The DPoP proof is refused: ${reason}.`);
  }
  const { htm, htu, iat, jti, ath, nonce } = payload as JWTPayload & Record<string, unknown>;
  if (typeof jti !== 'string' || jti === '') throw new DpopError('invalid_dpop_proof', 'The DPoP proof has no jti.');
  if (htm !== expected.method) throw new DpopError('invalid_dpop_proof', `The DPoP proof's htm is not ${expected.method}.`);
  if (typeof htu !== 'string' || comparableUrl(htu) !== comparableUrl(expected.url)) {
    throw new DpopError('invalid_dpop_proof', `The DPoP proof's htu is not ${comparableUrl(expected.url)}.`);
  }
  if (typeof iat !== 'number' || Math.abs(expected.now - iat) > expected.maxAgeSeconds) {
    throw new DpopError('invalid_dpop_proof', `The DPoP proof's iat is more than ${expected.maxAgeSeconds} seconds off.`);
  }
  if (ath !== accessTokenHash(expected.accessToken)) {
    throw new DpopError('invalid_dpop_proof', "The DPoP proof's ath is not the hash of this access token.");
  }
  if (nonce !== undefined && typeof nonce !== 'string')
    throw new DpopError('invalid_dpop_proof', "The DPoP proof's nonce is not a string.");
  return { thumbprint: await calculateJwkThumbprint(jwk, 'sha256'), jti, iat, nonce };
}

/**
 * The `jti` values of accepted proofs, each kept until its `iat` leaves the window (after that
 * the proof is refused for its age anyway). Bounded: when full of live entries it refuses new
 * proofs rather than forget one, so replay protection is never silently lost.
 */
export class ReplayCache {
  readonly #expiries = new Map<string, number>();

  constructor(readonly capacity: number) {}

  /** Records `jti` until `expiresAt` (epoch seconds). False if it was seen (or no room is left). */
  use(jti: string, expiresAt: number, now: number): boolean {
    const seen = this.#expiries.get(jti);
    if (seen !== undefined && seen >= now) return false;
    if (this.#expiries.size >= this.capacity) {
      for (const [key, expiry] of this.#expiries) if (expiry < now) this.#expiries.delete(key);
      if (this.#expiries.size >= this.capacity) return false;
    }
    this.#expiries.set(jti, expiresAt);
    return true;
  }

  get size(): number {
    return this.#expiries.size;
  }
}

/**
 * Server-provided nonces (RFC 9449 §9): a random value per period of `periodSeconds`; the
 * current and the previous one are accepted, so a nonce stays good for at least one period.
 */
export class NonceSource {
  #period = -1;
  #current = '';
  #previous = '';

  constructor(readonly periodSeconds: number) {}

  /** The nonce to hand out now. */
  current(now: number): string {
    this.#roll(now);
    return this.#current;
  }

  accepts(nonce: string | undefined, now: number): boolean {
    this.#roll(now);
    return Boolean(nonce) && (nonce === this.#current || nonce === this.#previous);
  }

  #roll(now: number): void {
    const period = Math.floor(now / this.periodSeconds);
    if (period === this.#period) return;
    // After a gap of more than one period the previous nonce is too old to keep.
    this.#previous = period === this.#period + 1 ? this.#current : '';
    this.#current = randomBytes(16).toString('base64url');
    this.#period = period;
  }
}
