import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createFetcher } from '../../src/dpop/fetcher.js';
import { memoryProver, readProof, resourceNonceChallenge, scriptedFetch } from './helpers.js';

const API = 'https://api.example/items?page=2#top';
const ok = () => Response.json({ items: [] });
const token =
  (tokenType: string, accessToken = 'at-1') =>
  async () => ({ accessToken, tokenType });

afterEach(() => {
  vi.restoreAllMocks();
});

describe('createFetcher with a Bearer token', () => {
  it('sends Authorization: Bearer and no proof', async () => {
    const { fetch, sent } = scriptedFetch(ok);
    const response = await createFetcher({ getAccessToken: token('bearer'), prover: memoryProver(), fetch })(API);
    expect(response.status).toBe(200);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.headers.get('authorization')).toBe('Bearer at-1');
    expect(sent[0]?.headers.has('dpop')).toBe(false);
  });

  it('needs no prover: a server may issue Bearer tokens to a DPoP client (RFC 9449 §5)', async () => {
    const { fetch, sent } = scriptedFetch(ok);
    await createFetcher({ getAccessToken: token('Bearer'), fetch })(API);
    expect(sent[0]?.headers.get('authorization')).toBe('Bearer at-1');
  });
});

describe('createFetcher with a DPoP token', () => {
  it('sends Authorization: DPoP and a proof of this request, bound to the token by ath', async () => {
    const { fetch, sent } = scriptedFetch(ok);
    const prover = memoryProver();
    await createFetcher({ getAccessToken: token('DPoP'), prover, fetch })(API, { headers: { 'x-app': '1' } });
    const request = sent[0];
    expect(request?.headers.get('authorization')).toBe('DPoP at-1');
    expect(request?.headers.get('x-app')).toBe('1');
    const { payload } = await readProof(request?.headers.get('dpop') ?? null);
    expect(payload).toMatchObject({
      htm: 'GET',
      htu: 'https://api.example/items',
      ath: createHash('sha256').update('at-1').digest('base64url'),
    });
    expect(payload).not.toHaveProperty('nonce');
  });

  it('takes the method and URL of a Request object', async () => {
    const { fetch, sent } = scriptedFetch(ok);
    const fetcher = createFetcher({ getAccessToken: token('dpop'), prover: memoryProver(), fetch });
    await fetcher(new Request('https://api.example/items/7', { method: 'DELETE' }));
    expect((await readProof(sent[0]?.headers.get('dpop') ?? null)).payload).toMatchObject({
      htm: 'DELETE',
      htu: 'https://api.example/items/7',
    });
  });

  it('answers a nonce challenge once, with the same body and a proof carrying the nonce', async () => {
    const { fetch, sent } = scriptedFetch(resourceNonceChallenge('api-n1'), ok);
    const fetcher = createFetcher({ getAccessToken: token('DPoP'), prover: memoryProver(), fetch });
    const response = await fetcher('https://api.example/items', { method: 'POST', body: '{"name":"x"}' });
    expect(response.status).toBe(200);
    expect(sent.map((request) => request.body)).toEqual(['{"name":"x"}', '{"name":"x"}']);
    const retry = await readProof(sent[1]?.headers.get('dpop') ?? null);
    expect(retry.payload).toMatchObject({ nonce: 'api-n1', htm: 'POST' });
    expect(sent[1]?.headers.get('authorization')).toBe('DPoP at-1');
  });

  it('does not answer a second challenge: the app gets the 401', async () => {
    const { fetch, sent } = scriptedFetch(resourceNonceChallenge('api-n1'), resourceNonceChallenge('api-n2'), ok);
    const fetcher = createFetcher({ getAccessToken: token('DPoP'), prover: memoryProver(), fetch });
    expect((await fetcher(API)).status).toBe(401);
    expect(sent).toHaveLength(2);
  });

  it('sends the nonce it was last given from the first attempt on, per origin', async () => {
    const withNonce = () => Response.json({}, { headers: { 'dpop-nonce': 'api-n2' } });
    const { fetch, sent } = scriptedFetch(resourceNonceChallenge('api-n1'), withNonce, ok);
    const fetcher = createFetcher({ getAccessToken: token('DPoP'), prover: memoryProver(), fetch });
    await fetcher(API);
    await fetcher('https://api.example/other');
    await fetcher('https://elsewhere.example/');
    const nonces = await Promise.all(sent.map(async (request) => (await readProof(request.headers.get('dpop'))).payload.nonce));
    expect(nonces).toEqual([undefined, 'api-n1', 'api-n2', undefined]);
  });

  it('does not retry a 401 that is not a nonce challenge', async () => {
    const expired = () =>
      new Response(null, { status: 401, headers: { 'www-authenticate': 'DPoP error="invalid_token"', 'dpop-nonce': 'n' } });
    const { fetch, sent } = scriptedFetch(expired, ok);
    const fetcher = createFetcher({ getAccessToken: token('DPoP'), prover: memoryProver(), fetch });
    expect((await fetcher(API)).status).toBe(401);
    expect(sent).toHaveLength(1);
  });

  it('asks for the access token once per request, retry included', async () => {
    const getAccessToken = vi.fn(token('DPoP'));
    const { fetch } = scriptedFetch(resourceNonceChallenge('api-n1'), ok);
    await createFetcher({ getAccessToken, prover: memoryProver(), fetch })(API);
    expect(getAccessToken).toHaveBeenCalledTimes(1);
  });
});

describe('createFetcher refusals', () => {
  it.each([
    ['a DPoP token without a prover', token('DPoP'), false],
    ['a token type it does not know', token('MAC'), true],
  ])('refuses %s with dpop_failed, sending nothing', async (_name, getAccessToken, withProver) => {
    const { fetch, sent } = scriptedFetch(ok);
    const fetcher = createFetcher({ getAccessToken, fetch, ...(withProver ? { prover: memoryProver() } : {}) });
    const error = await fetcher(API).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'SsoError', code: 'dpop_failed' });
    expect(String((error as Error).message)).not.toContain('at-1');
    expect(sent).toHaveLength(0);
  });

  it('passes on the failure to get a token, sending nothing', async () => {
    const { fetch, sent } = scriptedFetch(ok);
    const getAccessToken = () => Promise.reject(new Error('login_required'));
    await expect(createFetcher({ getAccessToken, fetch })(API)).rejects.toThrow('login_required');
    expect(sent).toHaveLength(0);
  });

  it('writes nothing to the console', async () => {
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((level) => vi.spyOn(console, level));
    const { fetch } = scriptedFetch(resourceNonceChallenge('api-n1'), resourceNonceChallenge('api-n2'));
    await createFetcher({ getAccessToken: token('DPoP', 'at-secret'), prover: memoryProver(), fetch })(API);
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
  });
});
