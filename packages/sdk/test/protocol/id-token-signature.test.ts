import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { forgetJwks, type SignatureCheckOptions, verifyIdTokenSignature } from '../../src/protocol/id-token-signature.js';
import { scriptedFetch } from '../dpop/helpers.js';

const JWKS_URI = 'https://op.example/.well-known/jwks.json';
const claims = { iss: 'https://op.example/', aud: 'site-a', sub: 'alice', iat: 1_800_000_000, exp: 1_800_000_300 };

/** A provider signing key: the token signer and the JWKS entry. */
async function providerKey(alg: string, kid: string, more: Partial<JWK> = {}) {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, use: 'sig', alg, ...more };
  const sign = (header: Record<string, unknown> = {}) =>
    new SignJWT(claims).setProtectedHeader({ alg, kid, ...header }).sign(privateKey);
  return { jwk, sign };
}

const jwks =
  (...keys: JWK[]) =>
  () =>
    Response.json({ keys });
const check = (fetch: typeof globalThis.fetch, more: Partial<SignatureCheckOptions> = {}) => ({
  jwksUri: JWKS_URI,
  fetch,
  ...more,
});
const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (error: { code?: string }) => error.code,
  );
const unsigned = (header: Record<string, unknown>) =>
  `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;

beforeEach(() => {
  forgetJwks();
});

describe('verifyIdTokenSignature', () => {
  it.each(['RS256', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA', 'Ed25519'])('verifies %s with the provider key', async (alg) => {
    const key = await providerKey(alg, 'k1');
    const { fetch } = scriptedFetch(jwks(key.jwk));
    await expect(verifyIdTokenSignature(await key.sign(), check(fetch))).resolves.toBeUndefined();
  });

  it('keeps the JWKS per jwks_uri: a second token needs no fetch', async () => {
    const key = await providerKey('RS256', 'k1');
    const { fetch, sent } = scriptedFetch(jwks(key.jwk));
    await verifyIdTokenSignature(await key.sign(), check(fetch));
    await verifyIdTokenSignature(await key.sign(), check(fetch));
    expect(sent).toHaveLength(1);
    expect(sent[0]?.url).toBe(JWKS_URI);
  });

  it('fetches the JWKS again once when the token names a key it lacks (rotation)', async () => {
    const [old, rotated] = await Promise.all([providerKey('RS256', 'k1'), providerKey('RS256', 'k2')]);
    const { fetch, sent } = scriptedFetch(jwks(old.jwk), jwks(old.jwk, rotated.jwk));
    await verifyIdTokenSignature(await old.sign(), check(fetch));
    await verifyIdTokenSignature(await rotated.sign(), check(fetch));
    expect(sent).toHaveLength(2);
    // The refetch goes past the HTTP cache, which may still hold the set from before the rotation.
    expect(sent.map((request) => request.cache)).toEqual(['default', 'no-cache']);
    // The fresh JWKS is kept: the old key still verifies without a fetch.
    await verifyIdTokenSignature(await old.sign(), check(fetch));
    expect(sent).toHaveLength(2);
  });

  it('refuses a key still unknown after the one refetch', async () => {
    const [known, unknown] = await Promise.all([providerKey('RS256', 'k1'), providerKey('RS256', 'k3')]);
    const { fetch, sent } = scriptedFetch(jwks(known.jwk));
    await verifyIdTokenSignature(await known.sign(), check(fetch));
    expect(await codeOf(verifyIdTokenSignature(await unknown.sign(), check(fetch)))).toBe('invalid_signature');
    expect(sent).toHaveLength(2);
  });

  it("refuses a token signed by another key under the provider key's kid", async () => {
    const [provider, attacker] = await Promise.all([providerKey('ES256', 'k1'), providerKey('ES256', 'k1')]);
    const { fetch } = scriptedFetch(jwks(provider.jwk));
    expect(await codeOf(verifyIdTokenSignature(await attacker.sign(), check(fetch)))).toBe('invalid_signature');
  });

  it('refuses a token whose claims were changed after signing', async () => {
    const key = await providerKey('RS256', 'k1');
    const { fetch } = scriptedFetch(jwks(key.jwk));
    const [header, , signature] = (await key.sign()).split('.');
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'mallory' })).toString('base64url');
    expect(await codeOf(verifyIdTokenSignature(`${header}.${forged}.${signature}`, check(fetch)))).toBe('invalid_signature');
  });

  it('verifies a token without kid against the one key that fits', async () => {
    const key = await providerKey('ES256', 'k1');
    const { fetch } = scriptedFetch(jwks(key.jwk));
    await expect(verifyIdTokenSignature(await key.sign({ kid: undefined }), check(fetch))).resolves.toBeUndefined();
  });
});

describe('verifyIdTokenSignature refusals', () => {
  it.each([
    ['alg none', { alg: 'none' }],
    ['alg None', { alg: 'None' }],
    ['HS256 (a public client has no secret)', { alg: 'HS256', kid: 'k1' }],
    ['no alg', { kid: 'k1' }],
  ])('refuses %s without fetching the JWKS', async (_name, header) => {
    const { fetch, sent } = scriptedFetch(jwks({ kty: 'oct', k: 'c2VjcmV0', kid: 'k1' }));
    const options = check(fetch, { algorithms: ['none', 'None', 'HS256', 'RS256'] });
    expect(await codeOf(verifyIdTokenSignature(`${unsigned(header)}c2ln`, options))).toBe('invalid_signature');
    expect(await codeOf(verifyIdTokenSignature(unsigned(header), options))).toBe('invalid_signature');
    expect(sent).toHaveLength(0);
  });

  it('refuses an algorithm the client does not accept', async () => {
    const key = await providerKey('ES256', 'k1');
    const { fetch } = scriptedFetch(jwks(key.jwk));
    expect(await codeOf(verifyIdTokenSignature(await key.sign(), check(fetch, { algorithms: ['RS256'] })))).toBe(
      'invalid_signature',
    );
  });

  it.each([
    ['of another key type than the alg (alg confusion)', { kty: 'RSA' }],
    ['for encryption', { use: 'enc' }],
    ['of another alg', { alg: 'ES384' }],
    ['without verify in key_ops', { key_ops: ['encrypt'] }],
  ])('does not use a key %s', async (_name, change) => {
    const key = await providerKey('ES256', 'k1');
    const { fetch } = scriptedFetch(jwks({ ...key.jwk, ...change }));
    expect(await codeOf(verifyIdTokenSignature(await key.sign(), check(fetch)))).toBe('invalid_signature');
  });

  it('does not use an RSA key under 2048 bits', async () => {
    const pair = await crypto.subtle.generateKey(
      { name: 'RSASSA-PKCS1-v1_5', modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
      true,
      ['sign', 'verify'],
    );
    const signingInput = unsigned({ alg: 'RS256', kid: 'weak' }).slice(0, -1);
    const signature = await crypto.subtle.sign('RSASSA-PKCS1-v1_5', pair.privateKey, new TextEncoder().encode(signingInput));
    const jwk = { ...(await crypto.subtle.exportKey('jwk', pair.publicKey)), kid: 'weak' };
    const { fetch } = scriptedFetch(jwks(jwk as JWK));
    const token = `${signingInput}.${Buffer.from(signature).toString('base64url')}`;
    expect(await codeOf(verifyIdTokenSignature(token, check(fetch)))).toBe('invalid_signature');
  });

  it('refuses a critical header extension it does not understand (RFC 7515 §4.1.11)', async () => {
    const key = await providerKey('RS256', 'k1');
    const { fetch } = scriptedFetch(jwks(key.jwk));
    const token = await key.sign({ crit: ['b64'], b64: true });
    expect(await codeOf(verifyIdTokenSignature(token, check(fetch)))).toBe('invalid_signature');
  });

  it.each(['not-a-jwt', 'a.b.c', 'e30.e30.!!!'])('refuses the malformed token %s', async (token) => {
    const { fetch } = scriptedFetch(jwks());
    expect(await codeOf(verifyIdTokenSignature(token, check(fetch)))).toBe('invalid_signature');
  });
});

describe('verifyIdTokenSignature and the JWKS endpoint', () => {
  it.each([
    ['an HTTP error', () => new Response('nope', { status: 500 })],
    ['a body that is not JSON', () => new Response('<html>')],
    ['JSON without keys', () => Response.json({ keys: 'none' })],
  ])('reports %s as discovery_failed, and fetches again next time', async (_name, answer) => {
    const key = await providerKey('RS256', 'k1');
    const { fetch, sent } = scriptedFetch(answer, jwks(key.jwk));
    expect(await codeOf(verifyIdTokenSignature(await key.sign(), check(fetch)))).toBe('discovery_failed');
    await expect(verifyIdTokenSignature(await key.sign(), check(fetch))).resolves.toBeUndefined();
    expect(sent).toHaveLength(2);
  });

  it('reports an unreachable JWKS as network', async () => {
    const key = await providerKey('RS256', 'k1');
    const fetch = () => Promise.reject(new TypeError('Failed to fetch'));
    expect(await codeOf(verifyIdTokenSignature(await key.sign(), check(fetch)))).toBe('network');
  });

  it.each([
    ['missing', undefined],
    ['relative', '/jwks.json'],
    ['plain http to another host', 'http://op.example/jwks.json'],
  ])('refuses a jwks_uri that is %s', async (_name, jwksUri) => {
    const key = await providerKey('RS256', 'k1');
    const { fetch, sent } = scriptedFetch(jwks(key.jwk));
    expect(await codeOf(verifyIdTokenSignature(await key.sign(), check(fetch, { jwksUri })))).toBe('discovery_failed');
    expect(sent).toHaveLength(0);
  });

  it('accepts plain http to a loopback development provider', async () => {
    const key = await providerKey('RS256', 'k1');
    const { fetch } = scriptedFetch(jwks(key.jwk));
    const options = check(fetch, { jwksUri: 'http://localhost:4000/.well-known/jwks.json' });
    await expect(verifyIdTokenSignature(await key.sign(), options)).resolves.toBeUndefined();
  });
});
