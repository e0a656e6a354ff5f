import { createHash, randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { createDevIdp, type DevIdp } from 'sso-spa-dev-idp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NonceSource, ReplayCache } from '../src/dpop.js';
import { type DemoApi, startDemoApi } from '../src/index.js';
import { loopbackRequest, signIn } from './sign-in.js';

// The demo API against a real dev IdP: DPoP-bound tokens obtained with proofs made here (jose,
// ES256), then presented to the API as an SDK would, and as an attacker would.

const audience = 'https://api.example';
const siteA = 'http://app-a.localhost:5173';
const redirectUri = `${siteA}/callback`;

interface ProofKey {
  privateKey: CryptoKey;
  publicJwk: JWK;
}

async function proofKey(): Promise<ProofKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  return { privateKey, publicJwk: await exportJWK(publicKey) };
}

interface ProofClaims {
  htm?: string;
  htu: string;
  accessToken?: string;
  iat?: number;
  jti?: string;
  nonce?: string;
}

function proof(key: ProofKey, claims: ProofClaims, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT({
    htm: claims.htm ?? 'GET',
    htu: claims.htu,
    jti: claims.jti ?? randomUUID(),
    ...(claims.accessToken ? { ath: createHash('sha256').update(claims.accessToken).digest('base64url') } : {}),
    ...(claims.nonce ? { nonce: claims.nonce } : {}),
  })
    .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.publicJwk, ...header })
    .setIssuedAt(claims.iat ?? Math.floor(Date.now() / 1000))
    .sign(key.privateKey);
}

describe('demo API with DPoP tokens from the dev IdP', { timeout: 30_000 }, () => {
  let idp: DevIdp;
  let api: DemoApi;
  let nonceApi: DemoApi;
  let lenientApi: DemoApi;
  let key: ProofKey;
  let attacker: ProofKey;
  let dpopToken: string;
  let bearerToken: string;

  const messagesUrl = (target: DemoApi = api) => `http://127.0.0.1:${target.port}/api/messages`;
  const call = (headers: Record<string, string>, target: DemoApi = api, url = messagesUrl(target)) => fetch(url, { headers });
  /** A proof for GET /api/messages with `dpopToken`, by `key` unless another is given. */
  const goodProof = (overrides: Partial<ProofClaims> = {}, by: ProofKey = key) =>
    proof(by, { htu: messagesUrl(), accessToken: dpopToken, ...overrides });
  const challengeOf = (res: Response) => res.headers.get('www-authenticate') ?? '';
  /** A proof by `key` for the right request with header members replaced. */
  const proofWith = (header: Record<string, unknown>) => proof(key, { htu: messagesUrl(), accessToken: dpopToken }, header);
  /** A proof whose `jwk` is the private key that signed it (so it does verify). */
  const leakyProof = async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    const leaky = { privateKey: pair.privateKey, publicJwk: await exportJWK(pair.privateKey) };
    return proof(leaky, { htu: messagesUrl(), accessToken: dpopToken });
  };

  async function tokens(dpop: ProofKey | undefined, scope = 'openid read:messages') {
    const { code, verifier } = await signIn(idp, { clientId: 'site-a', redirectUri, scope, audience });
    const tokenUrl = new URL('oauth/token', idp.issuer).href;
    const response = await loopbackRequest(tokenUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(dpop ? { dpop: await proof(dpop, { htm: 'POST', htu: tokenUrl }) } : {}),
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: 'site-a',
        code,
        redirect_uri: redirectUri,
        code_verifier: verifier,
      }).toString(),
    });
    expect(response.status).toBe(200);
    return JSON.parse(response.text) as { access_token: string; token_type: string };
  }

  beforeAll(async () => {
    idp = await createDevIdp({
      hostname: 'idp.localhost',
      clockToleranceSeconds: 0,
      clients: [{ clientId: 'site-a', redirectUris: [redirectUri], webOrigins: [siteA] }],
      apis: [{ identifier: audience, scopes: ['read:messages'] }],
    });
    const apiOptions = {
      issuer: idp.issuer,
      jwksUri: `http://127.0.0.1:${idp.port}/.well-known/jwks.json`,
      audience,
      allowedOrigins: [siteA],
    };
    api = await startDemoApi(apiOptions);
    nonceApi = await startDemoApi({ ...apiOptions, dpop: { requireNonce: true } });
    lenientApi = await startDemoApi({ ...apiOptions, dpop: { proofMaxAgeSeconds: 300 } });
    [key, attacker] = await Promise.all([proofKey(), proofKey()]);
    const [dpop, bearer] = await Promise.all([tokens(key), tokens(undefined)]);
    expect([dpop.token_type, bearer.token_type]).toEqual(['DPoP', 'Bearer']);
    dpopToken = dpop.access_token;
    bearerToken = bearer.access_token;
  });
  afterAll(async () => {
    await nonceApi?.close();
    await lenientApi?.close();
    await api?.close();
    await idp?.close();
  });

  it('answers a DPoP token with a fresh proof of its key, every time', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await call({ authorization: `DPoP ${dpopToken}`, dpop: await goodProof() });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        sub: 'alice',
        tokenType: 'DPoP',
        jkt: await calculateJwkThumbprint(key.publicJwk),
        messages: expect.any(Array),
      });
    }
  });

  it('compares htu without the query string', async () => {
    const res = await call({ authorization: `DPoP ${dpopToken}`, dpop: await goodProof() }, api, `${messagesUrl()}?page=2`);
    expect(res.status).toBe(200);
  });

  it('keeps answering Bearer tokens of a client that does not use DPoP', async () => {
    const res = await call({ authorization: `Bearer ${bearerToken}` });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ tokenType: 'Bearer' });
    expect(body).not.toHaveProperty('jkt');
  });

  it.each<[string, () => Promise<Record<string, string>>]>([
    ['no proof', async () => ({})],
    ['two proofs', async () => ({ dpop: `${await goodProof()}, ${await goodProof()}` })],
    ['a proof for another method', async () => ({ dpop: await goodProof({ htm: 'POST' }) })],
    ['a proof for another path', async () => ({ dpop: await goodProof({ htu: `http://127.0.0.1:${api.port}/api/health` }) })],
    ['a proof for another server', async () => ({ dpop: await goodProof({ htu: `http://api.example.localhost/api/messages` }) })],
    ['a proof made 2 minutes ago', async () => ({ dpop: await goodProof({ iat: Math.floor(Date.now() / 1000) - 120 }) })],
    ['a proof dated 2 minutes ahead', async () => ({ dpop: await goodProof({ iat: Math.floor(Date.now() / 1000) + 120 }) })],
    ['a proof for another access token (ath)', async () => ({ dpop: await goodProof({ accessToken: bearerToken }) })],
    ['a proof without ath', async () => ({ dpop: await proof(key, { htu: messagesUrl() }) })],
    ['a proof typed as a plain JWT', async () => ({ dpop: await proofWith({ typ: 'JWT' }) })],
    ['a proof carrying its private key', async () => ({ dpop: await leakyProof() })],
    ['a proof whose jwk is not the signing key', async () => ({ dpop: await proofWith({ jwk: attacker.publicJwk }) })],
  ])('refuses %s with DPoP error="invalid_dpop_proof"', async (_name, headers) => {
    const res = await call({ authorization: `DPoP ${dpopToken}`, ...(await headers()) });
    expect(res.status).toBe(401);
    expect(challengeOf(res)).toMatch(/^DPoP error="invalid_dpop_proof", error_description="[^"]+", algs="ES256 [^"]*"$/);
    expect(await res.json()).toMatchObject({ error: 'invalid_dpop_proof' });
  });

  it('takes proofs as old as proofMaxAgeSeconds allows', async () => {
    const url = messagesUrl(lenientApi);
    const iat = Math.floor(Date.now() / 1000) - 120;
    const res = await call({ authorization: `DPoP ${dpopToken}`, dpop: await goodProof({ htu: url, iat }) }, lenientApi);
    expect(res.status).toBe(200);
  });

  it('refuses a proof used a second time', async () => {
    const once = await goodProof();
    expect((await call({ authorization: `DPoP ${dpopToken}`, dpop: once })).status).toBe(200);
    const replay = await call({ authorization: `DPoP ${dpopToken}`, dpop: once });
    expect(replay.status).toBe(401);
    expect(challengeOf(replay)).toMatch(/^DPoP error="invalid_dpop_proof"/);
  });

  it('refuses a token copied out of the page and used with the attacker’s own key', async () => {
    const res = await call({ authorization: `DPoP ${dpopToken}`, dpop: await goodProof({}, attacker) });
    expect(res.status).toBe(401);
    expect(challengeOf(res)).toMatch(/^DPoP error="invalid_token", error_description="[^"]*another key[^"]*", algs="ES256/);
    // The token really is bound to the legitimate key, and not the attacker's.
    const cnf = JSON.parse(Buffer.from(dpopToken.split('.')[1]!, 'base64url').toString()).cnf;
    expect(cnf.jkt).toBe(await calculateJwkThumbprint(key.publicJwk));
    expect(cnf.jkt).not.toBe(await calculateJwkThumbprint(attacker.publicJwk));
  });

  it('refuses a DPoP-bound token sent as a Bearer token', async () => {
    const res = await call({ authorization: `Bearer ${dpopToken}` });
    expect(res.status).toBe(401);
    expect(challengeOf(res)).toMatch(/^DPoP error="invalid_token", error_description="[^"]+", algs="ES256/);
  });

  it('refuses a Bearer token dressed up as DPoP, even with a good proof', async () => {
    const res = await call({
      authorization: `DPoP ${bearerToken}`,
      dpop: await proof(key, { htu: messagesUrl(), accessToken: bearerToken }),
    });
    expect(res.status).toBe(401);
    expect(challengeOf(res)).toMatch(/^DPoP error="invalid_token"/);
  });

  it('answers a DPoP token without the scope with a DPoP insufficient_scope challenge', async () => {
    const { access_token: narrow } = await tokens(key, 'openid');
    const res = await call({
      authorization: `DPoP ${narrow}`,
      dpop: await proof(key, { htu: messagesUrl(), accessToken: narrow }),
    });
    expect(res.status).toBe(403);
    expect(challengeOf(res)).toMatch(/^DPoP error="insufficient_scope", scope="read:messages", algs="ES256/);
  });

  it('offers both schemes to a call without credentials', async () => {
    const res = await call({});
    expect(res.status).toBe(401);
    expect(challengeOf(res)).toMatch(/^Bearer error="invalid_request", error_description="[^"]+", DPoP algs="ES256 [^"]*"$/);
  });

  it('with requireNonce, challenges a proof without a nonce and accepts the retry with it', async () => {
    const url = messagesUrl(nonceApi);
    const first = await call(
      { origin: siteA, authorization: `DPoP ${dpopToken}`, dpop: await goodProof({ htu: url }) },
      nonceApi,
    );
    expect(first.status).toBe(401);
    expect(challengeOf(first)).toMatch(/^DPoP error="use_dpop_nonce", error_description="[^"]+", algs="ES256/);
    const nonce = first.headers.get('dpop-nonce');
    expect(nonce).toMatch(/^[\w-]{16,}$/);
    // A page's script may only read the header because CORS exposes it.
    expect(first.headers.get('access-control-expose-headers')).toMatch(/\bDPoP-Nonce\b/);

    const forged = await call(
      { authorization: `DPoP ${dpopToken}`, dpop: await goodProof({ htu: url, nonce: 'guessed' }) },
      nonceApi,
    );
    expect(forged.status).toBe(401);
    expect(challengeOf(forged)).toMatch(/^DPoP error="use_dpop_nonce"/);

    const retry = await call(
      { authorization: `DPoP ${dpopToken}`, dpop: await goodProof({ htu: url, nonce: nonce! }) },
      nonceApi,
    );
    expect(retry.status).toBe(200);
  });

  it('lets the demo sites send DPoP proofs and read the challenges (CORS)', async () => {
    const preflight = await fetch(messagesUrl(), {
      method: 'OPTIONS',
      headers: { origin: siteA, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization,dpop' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBe(siteA);
    expect(preflight.headers.get('access-control-allow-headers')?.split(/,\s*/)).toEqual(
      expect.arrayContaining(['authorization', 'dpop']),
    );
    const refused = await call({ origin: siteA, authorization: `Bearer ${dpopToken}` });
    expect(refused.headers.get('access-control-expose-headers')?.split(/,\s*/)).toEqual(
      expect.arrayContaining(['DPoP-Nonce', 'WWW-Authenticate']),
    );
  });

  it('accepts a proof made for the name browsers use (api.localhost), checked against the request Host', async () => {
    const htu = `${api.origin}/api/messages`;
    const res = await loopbackRequest(htu, {
      headers: { authorization: `DPoP ${dpopToken}`, dpop: await goodProof({ htu }) },
    });
    expect(res.status).toBe(200);
  });

  it('refuses a proof for a name the API is not reached at, even when the Host header claims it', async () => {
    const htu = `http://other.localhost:${api.port}/api/messages`;
    const res = await loopbackRequest(htu, { headers: { authorization: `DPoP ${dpopToken}`, dpop: await goodProof({ htu }) } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^DPoP error="invalid_dpop_proof"/);
  });
});

describe('DPoP options', { timeout: 10_000 }, () => {
  it('refuses symmetric proof algorithms in the options', async () => {
    await expect(
      startDemoApi({ issuer: 'http://idp.localhost/', audience, allowedOrigins: [], dpop: { algorithms: ['ES256', 'HS256'] } }),
    ).rejects.toThrow(/HS256 is not an asymmetric/);
  });
});

describe('replay cache', () => {
  it('forgets a jti once its proof is too old anyway, and refuses rather than forget a live one when full', () => {
    const cache = new ReplayCache(2);
    expect(cache.use('a', 100, 50)).toBe(true);
    expect(cache.use('a', 100, 60)).toBe(false);
    expect(cache.use('b', 200, 60)).toBe(true);
    // Full of live entries: a third proof is refused, the first stays remembered.
    expect(cache.use('c', 200, 60)).toBe(false);
    expect(cache.use('a', 100, 99)).toBe(false);
    // Once 'a' has expired its room is reused.
    expect(cache.use('c', 250, 101)).toBe(true);
    expect(cache.size).toBe(2);
  });
});

describe('nonce source', () => {
  it('accepts the current and the previous period’s nonce, and nothing older or made up', () => {
    const nonces = new NonceSource(60);
    const first = nonces.current(0);
    expect(nonces.current(59)).toBe(first);
    const second = nonces.current(60);
    expect(second).not.toBe(first);
    expect(nonces.accepts(first, 61)).toBe(true);
    expect(nonces.accepts(second, 61)).toBe(true);
    expect(nonces.accepts(first, 120)).toBe(false);
    expect(nonces.accepts('', 120)).toBe(false);
    expect(nonces.accepts(undefined, 120)).toBe(false);
    // After a long silence even the last one handed out is too old.
    expect(nonces.accepts(nonces.current(180), 400)).toBe(false);
  });
});
