import { calculateJwkThumbprint, EmbeddedJWK, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { decodeJwtPart } from '../../src/protocol/claims.js';
import {
  accessTokenHash,
  createDpopProof,
  DPOP_KEY_ALGORITHM,
  type DpopSigningKey,
  exportPublicJwk,
  jwkThumbprint,
  proofTarget,
} from '../../src/protocol/dpop.js';

const NOW = 1_800_000_000;

async function signingKey(): Promise<DpopSigningKey & { publicKey: CryptoKey }> {
  const pair = await crypto.subtle.generateKey(DPOP_KEY_ALGORITHM, false, ['sign', 'verify']);
  return { privateKey: pair.privateKey, publicKey: pair.publicKey, jwk: await exportPublicJwk(pair.publicKey) };
}

const fromBase64url = (value: string) => Uint8Array.from(Buffer.from(value, 'base64url'));

describe('createDpopProof (RFC 9449 §4.2)', () => {
  it('has the dpop+jwt header with the public key only, and the request claims', async () => {
    const key = await signingKey();
    const proof = await createDpopProof(key, { method: 'POST', url: 'https://op.example/oauth/token', now: NOW });
    const header = decodeJwtPart(proof, 0);
    const payload = decodeJwtPart(proof, 1);
    expect(header).toEqual({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty: 'EC', crv: 'P-256', x: key.jwk.x, y: key.jwk.y } });
    expect(payload).toEqual({ jti: expect.any(String), htm: 'POST', htu: 'https://op.example/oauth/token', iat: NOW });
  });

  it('is signed with the key: the raw r||s signature verifies with WebCrypto', async () => {
    const key = await signingKey();
    const proof = await createDpopProof(key, { method: 'GET', url: 'https://api.example/data' });
    const [header, payload, signature] = proof.split('.') as [string, string, string];
    expect(fromBase64url(signature)).toHaveLength(64);
    const valid = await crypto.subtle.verify(
      { name: 'ECDSA', hash: 'SHA-256' },
      key.publicKey,
      fromBase64url(signature),
      new TextEncoder().encode(`${header}.${payload}`),
    );
    expect(valid).toBe(true);
  });

  it('verifies with jose the way the demo API checks proofs (embedded JWK, typ, ES256)', async () => {
    const key = await signingKey();
    const proof = await createDpopProof(key, { method: 'GET', url: 'https://api.example/data', accessToken: 'at-1' });
    const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: ['ES256'] });
    expect(payload.htm).toBe('GET');
    expect(protectedHeader.jwk).toEqual(key.jwk);
  });

  it('takes a fresh jti of 128 random bits for every proof, and the clock for iat', async () => {
    const key = await signingKey();
    const request = { method: 'GET', url: 'https://api.example/' };
    const before = Math.floor(Date.now() / 1000);
    const [a, b] = await Promise.all([createDpopProof(key, request), createDpopProof(key, request)]);
    const jtiA = decodeJwtPart(a, 1)?.jti as string;
    expect(fromBase64url(jtiA)).toHaveLength(16);
    expect(jtiA).not.toBe(decodeJwtPart(b, 1)?.jti);
    expect(decodeJwtPart(a, 1)?.iat).toBeGreaterThanOrEqual(before);
  });

  it('adds ath, the base64url SHA-256 of the access token, only when a token is given', async () => {
    const key = await signingKey();
    const withToken = await createDpopProof(key, { method: 'GET', url: 'https://api.example/', accessToken: 'at-1' });
    const expected = Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode('at-1'))).toString('base64url');
    expect(decodeJwtPart(withToken, 1)?.ath).toBe(expected);
    const withoutToken = await createDpopProof(key, { method: 'GET', url: 'https://api.example/' });
    expect(decodeJwtPart(withoutToken, 1)).not.toHaveProperty('ath');
  });

  it('adds the server nonce only when there is one', async () => {
    const key = await signingKey();
    const proof = await createDpopProof(key, { method: 'POST', url: 'https://op.example/t', nonce: 'n-1' });
    expect(decodeJwtPart(proof, 1)?.nonce).toBe('n-1');
    const none = await createDpopProof(key, { method: 'POST', url: 'https://op.example/t', nonce: undefined });
    expect(decodeJwtPart(none, 1)).not.toHaveProperty('nonce');
  });

  it('keeps the method as sent: fetch upper-cases only the standard methods', async () => {
    const key = await signingKey();
    const proof = await createDpopProof(key, { method: 'patch', url: 'https://api.example/' });
    expect(decodeJwtPart(proof, 1)?.htm).toBe('patch');
  });
});

describe('proofTarget (htu)', () => {
  it.each([
    ['https://api.example/items?page=2#top', 'https://api.example/items'],
    ['https://api.example/items?', 'https://api.example/items'],
    ['HTTPS://API.Example:443/a/../items', 'https://api.example/items'],
    ['http://localhost:4000/oauth/token', 'http://localhost:4000/oauth/token'],
    ['https://api.example', 'https://api.example/'],
  ])('%s → %s', (url, htu) => {
    expect(proofTarget(url)).toBe(htu);
  });
});

describe('accessTokenHash (ath)', () => {
  it("matches RFC 9449 §7.1's example", async () => {
    expect(await accessTokenHash('Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU')).toBe(
      'fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo',
    );
  });
});

describe('jwkThumbprint (RFC 7638)', () => {
  it("matches the RFC's own example (§3.1), whatever optional members the key has", async () => {
    const rfcKey = {
      kty: 'RSA',
      n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
      e: 'AQAB',
      alg: 'RS256',
      kid: '2011-04-29',
    };
    expect(await jwkThumbprint(rfcKey)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  it('equals what jose computes for a generated P-256 key (the dpop_jkt a server derives)', async () => {
    const { jwk } = await signingKey();
    expect(await jwkThumbprint(jwk)).toBe(await calculateJwkThumbprint(jwk, 'sha256'));
  });

  it('refuses a key type it has no members for', () => {
    expect(() => jwkThumbprint({ kty: 'oct', k: 'c2VjcmV0' })).toThrow(TypeError);
  });
});

describe('exportPublicJwk', () => {
  it('keeps kty, crv, x and y, without ext and key_ops', async () => {
    const pair = await crypto.subtle.generateKey(DPOP_KEY_ALGORITHM, false, ['sign', 'verify']);
    expect(Object.keys(await exportPublicJwk(pair.publicKey)).sort()).toEqual(['crv', 'kty', 'x', 'y']);
  });

  it('refuses a key that is not ECDSA P-256', async () => {
    const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, false, ['sign', 'verify']);
    await expect(exportPublicJwk(pair.publicKey)).rejects.toThrow(TypeError);
  });
});
