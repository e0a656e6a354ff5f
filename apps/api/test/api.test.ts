import { type LoopbackServer, listenOnLoopback } from '@sso-spa/testkit';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoApi, startDemoApi } from '../src/index.js';

const audience = 'https://api.example';
const siteA = 'http://app-a.localhost:5173';

describe('demo API', () => {
  let keys: LoopbackServer;
  let api: DemoApi;
  let issuer: string;
  let privateKey: CryptoKey;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    // Only the provider's key set is stood in for; the API's verification is the real one.
    keys = await listenOnLoopback('idp.localhost', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    issuer = `http://127.0.0.1:${keys.port}/`;
    api = await startDemoApi({ issuer, audience, allowedOrigins: [siteA] });
  });
  afterAll(async () => {
    await api?.close();
    await keys?.close();
  });

  const token = async (overrides: { scope?: string; aud?: string; exp?: number } = {}) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ scope: overrides.scope ?? 'openid read:messages' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1', typ: 'at+jwt' })
      .setIssuer(issuer)
      .setAudience(overrides.aud ?? audience)
      .setSubject('alice')
      .setIssuedAt(now - 120)
      .setExpirationTime(overrides.exp ?? now + 120)
      .sign(privateKey);
  };
  const call = (headers: Record<string, string> = {}) => fetch(`http://127.0.0.1:${api.port}/api/messages`, { headers });

  it('answers a valid token with data', async () => {
    const res = await call({ authorization: `Bearer ${await token()}` });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ sub: 'alice', tokenType: 'Bearer', messages: expect.any(Array) });
  });

  it('answers 401 invalid_request without a bearer token', async () => {
    const res = await call();
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_request"/);
    expect(await res.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('answers 401 invalid_token for an expired token', async () => {
    const res = await call({ authorization: `Bearer ${await token({ exp: Math.floor(Date.now() / 1000) - 60 })}` });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'invalid_token', error_description: 'The access token has expired.' });
  });

  it('answers 401 invalid_token for another audience', async () => {
    const res = await call({ authorization: `Bearer ${await token({ aud: 'https://other.example' })}` });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'invalid_token', error_description: expect.stringContaining('"aud"') });
  });

  it('answers 403 insufficient_scope without the required scope', async () => {
    const res = await call({ authorization: `Bearer ${await token({ scope: 'openid' })}` });
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toContain('insufficient_scope');
  });

  it('gives CORS headers to the demo sites only', async () => {
    const allowed = await fetch(`http://127.0.0.1:${api.port}/api/messages`, { method: 'OPTIONS', headers: { origin: siteA } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe(siteA);
    // A DPoP call sends a proof, and the fetcher must read a nonce challenge.
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/\bdpop\b/i);
    expect(allowed.headers.get('access-control-expose-headers')).toMatch(/\bDPoP-Nonce\b.*\bWWW-Authenticate\b/i);
    const other = await fetch(`http://127.0.0.1:${api.port}/api/messages`, {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.localhost' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});
