import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevIdp } from '../src/index.js';
import { type DpopKey, dpopProof, generateDpopKey } from './dpop-proof.js';
import { Agent, API, APP, type AuthorizationResult, authorize, decodeJwt, startIdp, tokenRequest } from './helpers.js';

// RFC 9449 at the token endpoint, with proofs made here by WebCrypto as a browser SDK would
// make them, against a real oidc-provider: what binds, what is refused, and the nonce dance.

const SCOPE = 'openid profile email offline_access read:messages';

const tokenUrl = (idp: DevIdp) => new URL('oauth/token', idp.issuer).href;

/** Token request proofs: `htm` POST, `htu` the token endpoint. */
const tokenProof = (idp: DevIdp, key: DpopKey, extra: { nonce?: string; iat?: number } = {}) =>
  dpopProof(key, { htm: 'POST', htu: tokenUrl(idp), ...extra });

function codeExchange(agent: Agent, result: AuthorizationResult, clientId = 'site-a', headers: Record<string, string> = {}) {
  return tokenRequest(
    agent,
    {
      grant_type: 'authorization_code',
      client_id: clientId,
      code: result.code ?? '',
      redirect_uri: `${APP}/callback`,
      code_verifier: result.pkce.verifier,
    },
    headers,
  );
}

function refresh(agent: Agent, refreshToken: string, headers: Record<string, string> = {}) {
  return tokenRequest(agent, { grant_type: 'refresh_token', client_id: 'site-a', refresh_token: refreshToken }, headers);
}

describe('DPoP at the dev IdP', { timeout: 20_000 }, () => {
  let idp: DevIdp;
  let agent: Agent;
  let key: DpopKey;
  let attackerKey: DpopKey;

  beforeAll(async () => {
    idp = await startIdp({
      clients: [
        { clientId: 'site-a', redirectUris: [`${APP}/callback`], webOrigins: [APP] },
        { clientId: 'strict', redirectUris: [`${APP}/callback`], webOrigins: [APP], requireDpop: true },
      ],
    });
    agent = new Agent(idp);
    [key, attackerKey] = await Promise.all([generateDpopKey(), generateDpopKey()]);
  });
  afterAll(async () => {
    await idp?.close();
  });

  it('advertises the proof algorithms in discovery', async () => {
    const response = await agent.fetch(`${idp.issuer}.well-known/openid-configuration`);
    const discovery = (await response.json()) as Record<string, unknown>;
    expect(discovery.dpop_signing_alg_values_supported).toEqual(expect.arrayContaining(['ES256']));
  });

  it('binds the access and refresh tokens to the proof key; a refresh must prove the same key', async () => {
    const result = await authorize(agent, idp, { scope: SCOPE, audience: API });
    const exchange = await codeExchange(agent, result, 'site-a', { dpop: await tokenProof(idp, key) });
    expect(exchange.status).toBe(200);
    expect(exchange.json.token_type).toBe('DPoP');
    expect(decodeJwt(exchange.json.access_token)).toMatchObject({ aud: API, cnf: { jkt: key.thumbprint } });
    const refreshToken = exchange.json.refresh_token!;
    expect(refreshToken).toBeTruthy();

    // A refresh token copied out of the page is useless without the private key.
    const stolen = await refresh(agent, refreshToken, { dpop: await tokenProof(idp, attackerKey) });
    expect(stolen.status).toBe(400);
    expect(stolen.json).toMatchObject({ error: 'invalid_grant', error_description: 'grant request is invalid' });
    const bare = await refresh(agent, refreshToken);
    expect(bare.status).toBe(400);
    expect(bare.json.error).toBe('invalid_grant');

    const refreshed = await refresh(agent, refreshToken, { dpop: await tokenProof(idp, key) });
    expect(refreshed.status).toBe(200);
    expect(refreshed.json.token_type).toBe('DPoP');
    expect(decodeJwt(refreshed.json.access_token)).toMatchObject({ cnf: { jkt: key.thumbprint } });
    // The rotated refresh token keeps the binding.
    const again = await refresh(agent, refreshed.json.refresh_token!, { dpop: await tokenProof(idp, attackerKey) });
    expect(again.json.error).toBe('invalid_grant');
  });

  it('keeps issuing unbound Bearer tokens to a request without a proof', async () => {
    const result = await authorize(agent, idp, { scope: SCOPE, audience: API });
    const exchange = await codeExchange(agent, result);
    expect(exchange.status).toBe(200);
    expect(exchange.json.token_type).toBe('Bearer');
    expect(decodeJwt(exchange.json.access_token)).not.toHaveProperty('cnf');
    const refreshed = await refresh(agent, exchange.json.refresh_token!);
    expect(refreshed.status).toBe(200);
    expect(refreshed.json.token_type).toBe('Bearer');
  });

  it('refuses a proof used twice', async () => {
    const proof = await tokenProof(idp, key);
    const first = await codeExchange(agent, await authorize(agent, idp, { scope: SCOPE, audience: API }), 'site-a', {
      dpop: proof,
    });
    expect(first.status).toBe(200);
    const replay = await codeExchange(agent, await authorize(agent, idp, { scope: SCOPE, audience: API }), 'site-a', {
      dpop: proof,
    });
    expect(replay.status).toBe(400);
    expect(replay.json.error).toBe('invalid_grant');
  });

  it('answers /userinfo for a DPoP-bound token only with a proof of its key, never as Bearer', async () => {
    const exchange = await codeExchange(agent, await authorize(agent, idp, { scope: 'openid email' }), 'site-a', {
      dpop: await tokenProof(idp, key),
    });
    const accessToken = exchange.json.access_token!;
    const htu = new URL('userinfo', idp.issuer).href;
    const withProof = await agent.fetch('userinfo', {
      headers: { authorization: `DPoP ${accessToken}`, dpop: await dpopProof(key, { htm: 'GET', htu, accessToken }) },
    });
    expect(withProof.status).toBe(200);
    expect(await withProof.json()).toMatchObject({ sub: 'alice', email: 'alice@example.com' });
    const asBearer = await agent.fetch('userinfo', { headers: { authorization: `Bearer ${accessToken}` } });
    expect(asBearer.status).toBe(401);
    const otherKey = await agent.fetch('userinfo', {
      headers: { authorization: `DPoP ${accessToken}`, dpop: await dpopProof(attackerKey, { htm: 'GET', htu, accessToken }) },
    });
    expect(otherKey.status).toBe(401);
    expect(otherKey.headers.get('www-authenticate')).toMatch(/^DPoP /);
  });

  it('refuses a proof that is not for this request', async () => {
    const result = await authorize(agent, idp, { scope: SCOPE, audience: API });
    const wrongUrl = await dpopProof(key, { htm: 'POST', htu: new URL('oauth/revoke', idp.issuer).href });
    const exchange = await codeExchange(agent, result, 'site-a', { dpop: wrongUrl });
    expect(exchange.status).toBe(400);
    expect(exchange.json).toMatchObject({ error: 'invalid_dpop_proof', error_description: 'DPoP proof htu mismatch' });
  });

  it('binds the code to dpop_jkt: only a proof by that key redeems it', async () => {
    const bound = { scope: SCOPE, audience: API, extra: { dpop_jkt: key.thumbprint } };

    const other = await codeExchange(agent, await authorize(agent, idp, bound), 'site-a', {
      dpop: await tokenProof(idp, attackerKey),
    });
    expect(other.status).toBe(400);
    expect(other.json).toMatchObject({
      error: 'invalid_grant',
      error_description: 'grant request is invalid',
    });

    const none = await codeExchange(agent, await authorize(agent, idp, bound));
    expect(none.status).toBe(400);
    expect(none.json.error).toBe('invalid_grant');

    const own = await codeExchange(agent, await authorize(agent, idp, bound), 'site-a', { dpop: await tokenProof(idp, key) });
    expect(own.status).toBe(200);
    expect(own.json.token_type).toBe('DPoP');
    expect(decodeJwt(own.json.access_token)).toMatchObject({ cnf: { jkt: key.thumbprint } });
  });

  it('refuses a requireDpop client without a proof, and binds its tokens with one', async () => {
    const withoutProof = await codeExchange(
      agent,
      await authorize(agent, idp, { clientId: 'strict', scope: SCOPE, audience: API }),
      'strict',
    );
    expect(withoutProof.status).toBe(400);
    expect(withoutProof.json.error).toBe('invalid_grant');

    const result = await authorize(agent, idp, { clientId: 'strict', scope: SCOPE, audience: API });
    const withProof = await codeExchange(agent, result, 'strict', { dpop: await tokenProof(idp, key) });
    expect(withProof.status).toBe(200);
    expect(withProof.json.token_type).toBe('DPoP');
  });

  it('lets a browser send the DPoP header cross-origin (preflight)', async () => {
    const preflight = await agent.fetch('oauth/token', {
      method: 'OPTIONS',
      headers: { origin: APP, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,dpop' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(APP);
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase().split(',')).toContain('dpop');
  });
});

describe('DPoP nonces (behaviour dpopNonce)', { timeout: 20_000 }, () => {
  let idp: DevIdp;
  let agent: Agent;
  let key: DpopKey;

  beforeAll(async () => {
    idp = await startIdp({ behaviour: { dpopNonce: true } });
    agent = new Agent(idp);
    key = await generateDpopKey();
  });
  afterAll(async () => {
    await idp?.close();
  });

  it('challenges a proof without a nonce with use_dpop_nonce, then accepts the retry with the nonce', async () => {
    const result = await authorize(agent, idp, { scope: SCOPE, audience: API });
    const challenge = await codeExchange(agent, result, 'site-a', { origin: APP, dpop: await tokenProof(idp, key) });
    expect(challenge.status).toBe(400);
    expect(challenge.json.error).toBe('use_dpop_nonce');
    const nonce = challenge.response.headers.get('dpop-nonce');
    expect(nonce).toBeTruthy();
    // A script can only read the nonce if CORS exposes it.
    expect(challenge.response.headers.get('access-control-expose-headers')).toMatch(/\bDPoP-Nonce\b/i);

    // The challenge came before the code was looked at, so the same code is still good.
    const retry = await codeExchange(agent, result, 'site-a', {
      origin: APP,
      dpop: await tokenProof(idp, key, { nonce: nonce! }),
    });
    expect(retry.status).toBe(200);
    expect(retry.json.token_type).toBe('DPoP');
    expect(decodeJwt(retry.json.access_token)).toMatchObject({ cnf: { jkt: key.thumbprint } });

    // The nonce keeps working for the refresh (it is valid for a few minutes).
    const refreshed = await refresh(agent, retry.json.refresh_token!, { dpop: await tokenProof(idp, key, { nonce: nonce! }) });
    expect(refreshed.status).toBe(200);
  });

  it('refuses a nonce it never issued with a new challenge', async () => {
    const result = await authorize(agent, idp, { scope: SCOPE, audience: API });
    const forged = await codeExchange(agent, result, 'site-a', { dpop: await tokenProof(idp, key, { nonce: 'made-up' }) });
    expect(forged.status).toBe(400);
    expect(forged.json.error).toBe('use_dpop_nonce');
    expect(forged.response.headers.get('dpop-nonce')).toBeTruthy();
  });

  it('leaves Bearer clients alone', async () => {
    const exchange = await codeExchange(agent, await authorize(agent, idp, { scope: SCOPE, audience: API }));
    expect(exchange.status).toBe(200);
    expect(exchange.json.token_type).toBe('Bearer');
  });
});

describe('DPoP nonces on a terse, wildcard-CORS token endpoint (framed-login + dpopNonce)', { timeout: 20_000 }, () => {
  let idp: DevIdp;

  beforeAll(async () => {
    idp = await startIdp({ profile: 'framed-login', behaviour: { dpopNonce: true } });
  });
  afterAll(async () => {
    await idp?.close();
  });

  it('still says use_dpop_nonce and exposes the nonce to scripts', async () => {
    const agent = new Agent(idp);
    const key = await generateDpopKey();
    const result = await authorize(agent, idp, { scope: 'openid read:messages', audience: API });
    const challenge = await codeExchange(agent, result, 'site-a', { origin: APP, dpop: await tokenProof(idp, key) });
    expect(challenge.status).toBe(400);
    expect(challenge.json.error).toBe('use_dpop_nonce');
    expect(challenge.response.headers.get('access-control-allow-origin')).toBe('*');
    expect(challenge.response.headers.get('access-control-expose-headers')).toMatch(/\bDPoP-Nonce\b/i);
    const nonce = challenge.response.headers.get('dpop-nonce')!;
    const retry = await codeExchange(agent, result, 'site-a', { origin: APP, dpop: await tokenProof(idp, key, { nonce }) });
    expect(retry.status).toBe(200);
    expect(retry.json.token_type).toBe('DPoP');
  });
});
