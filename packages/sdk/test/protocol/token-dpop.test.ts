// The token endpoint with and without DPoP (RFC 9449 §5): what is sent, which token types are
// accepted, and the one retry on a nonce challenge (§8).
import { describe, expect, it } from 'vitest';
import { createTokenRequestFetch } from '../../src/dpop/fetcher.js';
import { createDpopProver } from '../../src/dpop/prover.js';
import type { IdTokenExpectations } from '../../src/protocol/id-token.js';
import { exchangeCode, type ProviderContext, readTokenResponse, refreshTokens } from '../../src/protocol/token.js';
import { memoryProver, readProof, scriptedFetch, tokenNonceChallenge } from '../dpop/helpers.js';
import { jwt } from '../support/fake-op.js';

const ISSUER = 'http://localhost:4000/';
const TOKEN_ENDPOINT = `${ISSUER}oauth/token`;
const NOW = Math.floor(Date.now() / 1000);
const expectations: IdTokenExpectations = {
  issuer: ISSUER,
  clientId: 'site-a',
  nonce: 'n-1',
  algs: ['RS256'],
  now: NOW,
  leeway: 60,
};
const idToken = jwt({ iss: ISSUER, aud: 'site-a', sub: 'alice', iat: NOW, exp: NOW + 300, nonce: 'n-1' });

const tokens = (tokenType: string) => () =>
  Response.json({ access_token: 'at-1', token_type: tokenType, expires_in: 300, id_token: idToken, refresh_token: 'rt-1' });

function context(fetch: typeof globalThis.fetch, withDpop: boolean): ProviderContext {
  return {
    as: { issuer: ISSUER, authorization_endpoint: `${ISSUER}authorize`, token_endpoint: TOKEN_ENDPOINT },
    clientId: 'site-a',
    fetch,
    ...(withDpop ? { dpopFetch: createTokenRequestFetch(memoryProver(), fetch) } : {}),
  };
}

const exchange = (ctx: ProviderContext) => exchangeCode(ctx, 'code-1', 'https://app.example/callback', 'verifier', expectations);

describe('token requests without DPoP', () => {
  it('send no DPoP header and accept a Bearer token, as before', async () => {
    const { fetch, sent } = scriptedFetch(tokens('Bearer'));
    expect((await exchange(context(fetch, false))).token_type).toBe('Bearer');
    expect(sent[0]?.headers.has('dpop')).toBe(false);
  });

  it('refuse a DPoP token, which this client could not use', async () => {
    const { fetch } = scriptedFetch(tokens('DPoP'));
    await expect(exchange(context(fetch, false))).rejects.toMatchObject({ code: 'invalid_response' });
    await expect(readTokenResponse(tokens('DPoP')(), expectations)).rejects.toMatchObject({ code: 'invalid_response' });
  });
});

describe('token requests with DPoP', () => {
  it('carry a proof of the token request: POST to the token endpoint, no ath', async () => {
    const { fetch, sent } = scriptedFetch(tokens('DPoP'));
    const set = await exchange(context(fetch, true));
    expect(set.token_type).toBe('DPoP');
    const { payload } = await readProof(sent[0]?.headers.get('dpop') ?? null);
    expect(payload).toMatchObject({ htm: 'POST', htu: TOKEN_ENDPOINT });
    expect(payload).not.toHaveProperty('ath');
    expect(new URLSearchParams(sent[0]?.body).get('code')).toBe('code-1');
    expect(sent[0]?.headers.get('content-type')).toMatch(/^application\/x-www-form-urlencoded/);
    expect(sent[0]?.headers.get('accept')).toBe('application/json');
  });

  it('accept a Bearer token and record it as Bearer: the server may decline to bind (§5)', async () => {
    const { fetch } = scriptedFetch(tokens('Bearer'));
    expect((await exchange(context(fetch, true))).token_type).toBe('Bearer');
  });

  it('refuse a token type that is neither DPoP nor Bearer', async () => {
    const { fetch } = scriptedFetch(tokens('MAC'));
    await expect(exchange(context(fetch, true))).rejects.toMatchObject({ code: 'invalid_response' });
  });

  it('answer a use_dpop_nonce challenge once, with the same grant and the new nonce', async () => {
    const { fetch, sent } = scriptedFetch(tokenNonceChallenge('op-n1'), tokens('DPoP'));
    await exchange(context(fetch, true));
    expect(sent).toHaveLength(2);
    expect(sent[1]?.body).toBe(sent[0]?.body);
    expect((await readProof(sent[1]?.headers.get('dpop') ?? null)).payload.nonce).toBe('op-n1');
  });

  it('give up after the second challenge with the provider error', async () => {
    const { fetch, sent } = scriptedFetch(tokenNonceChallenge('op-n1'), tokenNonceChallenge('op-n2'), tokens('DPoP'));
    await expect(exchange(context(fetch, true))).rejects.toMatchObject({
      code: 'oauth_error',
      error: 'use_dpop_nonce',
      status: 400,
    });
    expect(sent).toHaveLength(2);
  });

  it('prove possession on refresh too: a public client refresh token is bound to the key', async () => {
    const { fetch, sent } = scriptedFetch(tokens('DPoP'));
    const ctx = context(fetch, true);
    const set = await refreshTokens(ctx, 'rt-0', { ...expectations, nonce: undefined }, undefined);
    expect(set.token_type).toBe('DPoP');
    expect((await readProof(sent[0]?.headers.get('dpop') ?? null)).payload).toMatchObject({ htm: 'POST', htu: TOKEN_ENDPOINT });
  });

  it('reports a proof that cannot be made as dpop_failed, sending nothing', async () => {
    const { fetch, sent } = scriptedFetch(tokens('DPoP'));
    const keyStore = { getKey: () => Promise.reject(new TypeError('no subtle')), reset: async () => {}, persistent: false };
    const ctx = { ...context(fetch, false), dpopFetch: createTokenRequestFetch(createDpopProver({ keyStore }), fetch) };
    await expect(exchange(ctx)).rejects.toMatchObject({ code: 'dpop_failed' });
    expect(sent).toHaveLength(0);
  });
});
