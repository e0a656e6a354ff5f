// Strict ID token signature verification against the provider's JWKS, with WebCrypto alone.
// OpenID Connect Core §3.1.3.7 step 6 lets a client trust an ID token that came straight from
// the token endpoint over TLS; this module is for apps that want the signature checked anyway.
// It is loaded with `import()` only by them, so the typical bundle does not carry it.
import { SsoError } from '../errors.js';
import { decodeJwtPart } from './claims.js';
import { toSsoError } from './errors.js';
import { publicKeyMembers } from './jwks.js';
import { LOOPBACK } from './token.js';

/** Where the provider's keys are, and which algorithms to accept. */
export interface SignatureCheckOptions {
  /** The provider's `jwks_uri` (discovery). */
  jwksUri: string | undefined;
  /** The fetch to get the JWKS with (the client's, with its timeout). */
  fetch: typeof fetch;
  /**
   * The accepted `alg` values (the ID token expectations' `algs`); every algorithm this module
   * knows when left out. `none` and the HMAC family are refused whatever this says.
   */
  algorithms?: readonly string[] | undefined;
}

/** A key as a JWKS lists it: only string members matter here. */
type Jwk = { [member: string]: unknown };

/** How WebCrypto imports and verifies with the keys of one JWS algorithm. */
interface JwsAlgorithm {
  kty: string;
  crv?: string;
  importParams: AlgorithmIdentifier | RsaHashedImportParams | EcKeyImportParams;
  verifyParams: AlgorithmIdentifier | RsaPssParams | EcdsaParams;
}

const invalid = (reason: string) => new SsoError('invalid_signature', `Invalid ID token signature: ${reason}`);
const badJwks = (reason: string, status?: number) =>
  new SsoError('discovery_failed', `The provider's JWKS ${reason}`, status === undefined ? {} : { status });

const isEdDsa = (alg: unknown) => alg === 'EdDSA' || alg === 'Ed25519';

/**
 * The asymmetric JWS algorithms (RFC 7518 §3, RFC 8037, RFC 9864) as WebCrypto knows them.
 * `none` and `HS*` have no entry: a public client has no secret, and no signature is no proof.
 */
function jwsAlgorithm(alg: string): JwsAlgorithm | undefined {
  if (isEdDsa(alg)) return { kty: 'OKP', crv: 'Ed25519', importParams: { name: 'Ed25519' }, verifyParams: { name: 'Ed25519' } };
  const [, family, size] = /^(RS|PS|ES)(256|384|512)$/.exec(alg) ?? [];
  if (!family || !size) return undefined;
  const hash = `SHA-${size}`;
  if (family === 'RS')
    return { kty: 'RSA', importParams: { name: 'RSASSA-PKCS1-v1_5', hash }, verifyParams: { name: 'RSASSA-PKCS1-v1_5' } };
  // RFC 7518 §3.5: the PSS salt is as long as the hash.
  if (family === 'PS')
    return {
      kty: 'RSA',
      importParams: { name: 'RSA-PSS', hash },
      verifyParams: { name: 'RSA-PSS', saltLength: Number(size) / 8 },
    };
  const crv = size === '512' ? 'P-521' : `P-${size}`;
  return { kty: 'EC', crv, importParams: { name: 'ECDSA', namedCurve: crv }, verifyParams: { name: 'ECDSA', hash } };
}

/** RSA keys under 2048 bits are refused (RFC 7518 §3.3): 256 bytes of modulus is 342 base64url characters. */
const strongEnough = (jwk: Jwk) => jwk.kty !== 'RSA' || (typeof jwk.n === 'string' && jwk.n.length >= 342);

/**
 * Whether a JWKS key may have signed this token (RFC 7517 §4, OpenID Connect Core §10.1.1): the
 * token's `kid` when it has one, the algorithm's key type and curve, a signing `use` and
 * `key_ops` when given, and the same `alg` when the key names one.
 */
function mayHaveSigned(jwk: Jwk, header: Jwk, algorithm: JwsAlgorithm): boolean {
  return (
    jwk.kty === algorithm.kty &&
    (algorithm.crv === undefined || jwk.crv === algorithm.crv) &&
    (header.kid === undefined || jwk.kid === header.kid) &&
    (jwk.use === undefined || jwk.use === 'sig') &&
    (!Array.isArray(jwk.key_ops) || jwk.key_ops.includes('verify')) &&
    (jwk.alg === undefined || jwk.alg === header.alg || (isEdDsa(jwk.alg) && isEdDsa(header.alg))) &&
    strongEnough(jwk)
  );
}

/** Fetches and reads a JWKS: an object with a `keys` array (RFC 7517 §5). */
async function fetchJwks(jwksUri: string, fetch: typeof globalThis.fetch, refetch: boolean): Promise<Jwk[]> {
  let response: Response;
  try {
    // A refetch is for a key the kept set lacks: past the browser's HTTP cache too, which may
    // still hold the set from before the provider rotated its keys.
    response = await fetch(jwksUri, {
      headers: { accept: 'application/json' },
      ...(refetch ? { cache: 'no-cache' as const } : {}),
    });
  } catch (error) {
    throw toSsoError(error, 'network');
  }
  if (response.status !== 200) throw badJwks(`request failed with HTTP ${response.status}`, response.status);
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw badJwks('is not JSON');
  }
  const keys = (body as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw badJwks('has no keys');
  return keys.filter((key): key is Jwk => typeof key === 'object' && key !== null);
}

/** Each provider's keys, kept for the page; a failed fetch is not kept. */
const jwksCache = new Map<string, Promise<Jwk[]>>();

/** The keys at `jwksUri`: the kept ones, or fresh ones when `refetch` (the token names a key we lack). */
function providerKeys(jwksUri: string, fetch: typeof globalThis.fetch, refetch: boolean): Promise<Jwk[]> {
  const kept = jwksCache.get(jwksUri);
  if (kept && !refetch) return kept;
  const fresh = fetchJwks(jwksUri, fetch, refetch);
  jwksCache.set(jwksUri, fresh);
  fresh.catch(() => {
    if (jwksCache.get(jwksUri) === fresh) jwksCache.delete(jwksUri);
  });
  return fresh;
}

/** Forgets the kept keys of one provider, or of all: the next check fetches them again. */
export function forgetJwks(jwksUri?: string): void {
  if (jwksUri === undefined) jwksCache.clear();
  else jwksCache.delete(jwksUri);
}

const fromBase64url = (value: string): Uint8Array<ArrayBuffer> =>
  Uint8Array.from(atob(value.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));

/** True when `jwk` verifies the signature; false for a key WebCrypto will not take (malformed). */
async function verifiesWith(
  jwk: Jwk,
  algorithm: JwsAlgorithm,
  signature: Uint8Array<ArrayBuffer>,
  data: Uint8Array<ArrayBuffer>,
) {
  let key: CryptoKey;
  try {
    // Only the public members: a stray `d`, `key_ops` or `ext` must not change what is imported.
    key = await crypto.subtle.importKey('jwk', publicKeyMembers(jwk) as JsonWebKey, algorithm.importParams, false, ['verify']);
  } catch (error) {
    if ((error as { name?: unknown } | null)?.name === 'NotSupportedError')
      throw invalid('algorithm not supported by this browser');
    return false;
  }
  return crypto.subtle.verify(algorithm.verifyParams, key, signature, data);
}

/** The token's header, algorithm, signed bytes and signature; throws `invalid_signature` when malformed or refused. */
function parseToken(idToken: string, allowed: readonly string[] | undefined) {
  const header = decodeJwtPart(idToken, 0);
  const [protectedHeader, payload, signature] = idToken.split('.') as [string, string, string];
  if (!header || !decodeJwtPart(idToken, 1) || !signature) throw invalid('malformed JWT');
  const alg = header.alg;
  const algorithm = typeof alg === 'string' && (!allowed || allowed.includes(alg)) ? jwsAlgorithm(alg) : undefined;
  if (!algorithm) throw invalid('signing algorithm not accepted');
  // RFC 7515 §4.1.11: a critical extension the verifier does not understand makes the JWS invalid.
  if (header.crit !== undefined) throw invalid('critical header extension not understood');
  let signatureBytes: Uint8Array<ArrayBuffer>;
  try {
    signatureBytes = fromBase64url(signature);
  } catch {
    throw invalid('malformed JWT');
  }
  return { header, algorithm, signature: signatureBytes, data: new TextEncoder().encode(`${protectedHeader}.${payload}`) };
}

/** The JWKS URL: absolute, and https unless the provider is a loopback development one. */
function jwksLocation(jwksUri: unknown): string {
  let url: URL;
  try {
    url = new URL(jwksUri as string);
  } catch {
    throw badJwks('location (jwks_uri) is missing');
  }
  if (url.protocol !== 'https:' && !LOOPBACK.test(url.hostname)) throw badJwks('location (jwks_uri) must use https');
  return url.href;
}

/**
 * Verifies the ID token's JWS signature with the provider's key: RS256/384/512, PS256/384/512,
 * ES256/384/512 and EdDSA (Ed25519, where the browser's WebCrypto has it); never `none` or HS*.
 * The key is picked from the JWKS at `jwksUri` by `kid`, key type, curve, `use`, `key_ops` and
 * `alg`; the JWKS is kept per `jwksUri` and fetched again once when no key matches (the provider
 * rotated its keys). Claims are `validateIdToken`'s business, not this function's.
 * Throws `invalid_signature` (refused token), `discovery_failed` (no usable JWKS), or
 * `network` / `timeout` (from `fetch`).
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation (step 6)
 * @see https://openid.net/specs/openid-connect-core-1_0.html#RotateSigKeys
 */
export async function verifyIdTokenSignature(idToken: string, options: SignatureCheckOptions): Promise<void> {
  const { header, algorithm, signature, data } = parseToken(idToken, options.algorithms);
  const { fetch } = options;
  const jwksUri = jwksLocation(options.jwksUri);
  const matching = (keys: Jwk[]) => keys.filter((jwk) => mayHaveSigned(jwk, header, algorithm));
  let candidates = matching(await providerKeys(jwksUri, fetch, false));
  if (candidates.length === 0) candidates = matching(await providerKeys(jwksUri, fetch, true));
  if (candidates.length === 0) throw invalid('no key of the provider matches the token');
  for (const jwk of candidates) if (await verifiesWith(jwk, algorithm, signature, data)) return;
  throw invalid('the signature does not verify');
}
