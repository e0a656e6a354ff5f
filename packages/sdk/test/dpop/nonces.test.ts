import { describe, expect, it } from 'vitest';
import { createDpopNonces, isNonceChallenge } from '../../src/dpop/nonces.js';
import { resourceNonceChallenge, tokenNonceChallenge } from './helpers.js';

const withNonce = (status: number, headers: Record<string, string> = {}, body: string | null = null) =>
  new Response(body, { status, headers: { 'dpop-nonce': 'n-1', ...headers } });

describe('isNonceChallenge', () => {
  it("recognizes an authorization server's 400 use_dpop_nonce with a DPoP-Nonce (RFC 9449 §8)", async () => {
    expect(await isNonceChallenge(tokenNonceChallenge('n-1')())).toBe(true);
  });

  it("recognizes a resource server's 401 DPoP use_dpop_nonce challenge with a DPoP-Nonce (§9)", async () => {
    expect(await isNonceChallenge(resourceNonceChallenge('n-1')())).toBe(true);
    const second = withNonce(401, { 'www-authenticate': 'Bearer realm="api", DPoP algs="ES256" error="use_dpop_nonce"' });
    expect(await isNonceChallenge(second)).toBe(true);
  });

  it.each([
    ['a 400 use_dpop_nonce without DPoP-Nonce', () => Response.json({ error: 'use_dpop_nonce' }, { status: 400 })],
    ['a 400 with another error', () => withNonce(400, {}, JSON.stringify({ error: 'invalid_grant' }))],
    ['a 400 that is not JSON', () => withNonce(400, {}, 'use_dpop_nonce')],
    ['a 401 invalid_token', () => withNonce(401, { 'www-authenticate': 'DPoP error="invalid_token"' })],
    ['a 401 Bearer use_dpop_nonce', () => withNonce(401, { 'www-authenticate': 'Bearer error="use_dpop_nonce"' })],
    ['a 401 without WWW-Authenticate', () => withNonce(401)],
    ['a 200 with a new nonce', () => withNonce(200)],
  ])('does not take %s for a challenge', async (_name, response) => {
    expect(await isNonceChallenge(response())).toBe(false);
  });

  it('leaves the body for the caller to read', async () => {
    const response = tokenNonceChallenge('n-1')();
    await isNonceChallenge(response);
    expect(await response.json()).toMatchObject({ error: 'use_dpop_nonce' });
  });
});

describe('createDpopNonces', () => {
  it('keeps the latest nonce of each origin, from any response', () => {
    const nonces = createDpopNonces();
    nonces.observe('https://op.example/oauth/token', withNonce(400));
    nonces.observe('https://api.example/data', new Response(null, { headers: { 'dpop-nonce': 'api-1' } }));
    expect(nonces.get('https://op.example/userinfo')).toBe('n-1');
    expect(nonces.get('https://api.example/other?x=1')).toBe('api-1');
    expect(nonces.get('https://api.example:8443/data')).toBeUndefined();
    nonces.observe('https://api.example/', new Response(null, { headers: { 'dpop-nonce': 'api-2' } }));
    expect(nonces.get('https://api.example/data')).toBe('api-2');
  });

  it('keeps a nonce when a response carries none, and ignores one that is not 1*NQCHAR', () => {
    const nonces = createDpopNonces();
    nonces.observe('https://api.example/', withNonce(200));
    nonces.observe('https://api.example/', new Response(null));
    nonces.observe('https://api.example/', new Response(null, { headers: { 'dpop-nonce': 'has "quotes"' } }));
    expect(nonces.get('https://api.example/')).toBe('n-1');
  });

  it('forgets everything on clear', () => {
    const nonces = createDpopNonces();
    nonces.observe('https://api.example/', withNonce(200));
    nonces.clear();
    expect(nonces.get('https://api.example/')).toBeUndefined();
  });
});
