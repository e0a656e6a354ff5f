// RFC 9449 DPoP proofs, built with WebCrypto alone: pure functions of a key, a request and the
// time. Keeping the key, the server nonces and the retries is the business of `src/dpop/`.
import { base64url, s256 } from './authorize.js';
import { publicKeyMembers } from './jwks.js';

/** The signing algorithm of every proof: ES256 is the one RFC 9449 servers are sure to accept. */
export const DPOP_ALG = 'ES256';

/** How a DPoP key pair is generated (WebCrypto `generateKey`): ECDSA on P-256, for ES256. */
export const DPOP_KEY_ALGORITHM: EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };

/** The public half of a DPoP key: exactly the members a proof header and RFC 7638 need. */
export type DpopPublicJwk = {
  /** Key type: elliptic curve. */
  kty: 'EC';
  /** The curve ES256 signs on. */
  crv: 'P-256';
  /** The public point's x coordinate, base64url. */
  x: string;
  /** The public point's y coordinate, base64url. */
  y: string;
};

/** What it takes to sign proofs: the private key (never extractable) and its public JWK. */
export interface DpopSigningKey {
  /** The ECDSA P-256 private key, created with `extractable: false`. */
  privateKey: CryptoKey;
  /** Its public half, as the proof header's `jwk`. */
  jwk: DpopPublicJwk;
}

/** The request one proof is for. */
export interface ProofRequest {
  /** The HTTP method as sent (`htm`): fetch upper-cases only the standard ones, as `Request.method` shows. */
  method: string;
  /** The absolute request URL; `htu` is this without query and fragment. */
  url: string;
  /** The server's latest `DPoP-Nonce` for this origin, if it sent one. */
  nonce?: string | undefined;
  /** The access token the request carries, whose hash becomes `ath` (resource requests only). */
  accessToken?: string | undefined;
  /** Epoch seconds to put in `iat`; the clock's now when left out (tests pin it). */
  now?: number | undefined;
}

/**
 * Exports the public half of a generated key pair, keeping only `kty`, `crv`, `x` and `y`:
 * WebCrypto adds `ext` and `key_ops`, which have no place in a proof header.
 */
export async function exportPublicJwk(publicKey: CryptoKey, subtle: SubtleCrypto = crypto.subtle): Promise<DpopPublicJwk> {
  const { kty, crv, x, y } = await subtle.exportKey('jwk', publicKey);
  if (kty !== 'EC' || crv !== 'P-256' || !x || !y) throw new TypeError('A DPoP key must be an ECDSA P-256 key');
  return { kty, crv, x, y };
}

/**
 * The RFC 7638 SHA-256 thumbprint of a public JWK, base64url: the `dpop_jkt` authorization
 * parameter, and the `cnf.jkt` a DPoP-bound access token carries.
 * @see https://datatracker.ietf.org/doc/html/rfc7638#section-3
 */
export function jwkThumbprint(jwk: { kty: string; [member: string]: unknown }): Promise<string> {
  const required = publicKeyMembers(jwk);
  if (!required) throw new TypeError(`No thumbprint for key type ${jwk.kty}`);
  // JSON.stringify writes the members in insertion order, without white space: the RFC's form.
  return s256(JSON.stringify(required));
}

/**
 * `htu`: the request URL without query and fragment (RFC 9449 §4.2), as the URL parser writes
 * it, so a server comparing normalized URLs (§4.3) sees the same string.
 */
export function proofTarget(url: string): string {
  const target = new URL(url);
  target.search = '';
  target.hash = '';
  return target.href;
}

/** base64url(SHA-256(access token)): the `ath` that ties a proof to the token it travels with. */
export const accessTokenHash = (accessToken: string): Promise<string> => s256(accessToken);

const encodeJson = (value: object): string => base64url(new TextEncoder().encode(JSON.stringify(value)));

/**
 * A DPoP proof JWT for one request (RFC 9449 §4.2): header `typ: dpop+jwt`, `alg: ES256` and
 * the public `jwk`; payload `jti` (128 random bits, so a server can refuse replays), `htm`,
 * `htu`, `iat`, and `nonce` / `ath` when given. WebCrypto's ECDSA signature is already the raw
 * `r || s` that JWS wants (RFC 7518 §3.4).
 * @see https://datatracker.ietf.org/doc/html/rfc9449#section-4.2
 */
export async function createDpopProof(key: DpopSigningKey, request: ProofRequest): Promise<string> {
  const header = { typ: 'dpop+jwt', alg: DPOP_ALG, jwk: key.jwk };
  const payload = {
    jti: base64url(crypto.getRandomValues(new Uint8Array(16))),
    htm: request.method,
    htu: proofTarget(request.url),
    iat: request.now ?? Math.floor(Date.now() / 1000),
    ...(request.nonce ? { nonce: request.nonce } : {}),
    ...(request.accessToken === undefined ? {} : { ath: await accessTokenHash(request.accessToken) }),
  };
  const signingInput = `${encodeJson(header)}.${encodeJson(payload)}`;
  const signature = await crypto.subtle.sign(
    { name: 'ECDSA', hash: 'SHA-256' },
    key.privateKey,
    new TextEncoder().encode(signingInput),
  );
  return `${signingInput}.${base64url(new Uint8Array(signature))}`;
}
