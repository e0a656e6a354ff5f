import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevIdp } from '../src/index.js';
import {
  Agent,
  API,
  APP,
  APP_B,
  authorize,
  authorizeUrl,
  decodeJwt,
  exchangeCode,
  formAction,
  pkce,
  startIdp,
  tokenRequest,
} from './helpers.js';

describe('authorization code flow with PKCE', { timeout: 20_000 }, () => {
  let idp: DevIdp;

  beforeAll(async () => {
    idp = await startIdp({ introspection: true });
  });
  afterAll(async () => {
    await idp?.close();
  });

  it('publishes Auth0-compatible endpoints under an issuer with a trailing slash', async () => {
    const agent = new Agent(idp);
    expect(idp.issuer).toBe(`http://idp.localhost:${idp.port}/`);
    const response = await agent.fetch('.well-known/openid-configuration');
    const discovery = (await response.json()) as Record<string, unknown>;
    const base = idp.issuer.slice(0, -1);
    expect(discovery).toMatchObject({
      issuer: idp.issuer,
      authorization_endpoint: `${base}/authorize`,
      token_endpoint: `${base}/oauth/token`,
      userinfo_endpoint: `${base}/userinfo`,
      jwks_uri: `${base}/.well-known/jwks.json`,
      revocation_endpoint: `${base}/oauth/revoke`,
      end_session_endpoint: `${base}/oidc/logout`,
      authorization_response_iss_parameter_supported: true,
      code_challenge_methods_supported: ['S256'],
      id_token_signing_alg_values_supported: ['RS256'],
    });
    expect(discovery.response_modes_supported).toEqual(expect.arrayContaining(['query', 'fragment', 'web_message']));
    const jwks = (await (await agent.fetch('.well-known/jwks.json')).json()) as { keys: { kty: string; d?: string }[] };
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA' });
    expect(jwks.keys[0]?.d).toBeUndefined();
  });

  it('signs in with the login form and exchanges the code for RS256 tokens', async () => {
    const agent = new Agent(idp);
    const result = await authorize(agent, idp, { scope: 'openid profile email' });
    expect(result.location.origin + result.location.pathname).toBe(`${APP}/callback`);
    expect(result.location.searchParams.get('state')).toBe(result.state);
    expect(result.location.searchParams.get('iss')).toBe(idp.issuer);
    const { status, json } = await exchangeCode(agent, result);
    expect(status).toBe(200);
    expect(json.token_type).toBe('Bearer');
    expect(json.expires_in).toBe(150);
    expect(json.refresh_token).toBeUndefined();
    const header = JSON.parse(Buffer.from(json.id_token!.split('.')[0]!, 'base64url').toString()) as { alg: string };
    expect(header.alg).toBe('RS256');
    const claims = decodeJwt(json.id_token);
    expect(claims).toMatchObject({
      iss: idp.issuer,
      aud: 'site-a',
      sub: 'alice',
      nonce: `n-${result.state}`,
      email: 'alice@example.com',
      email_verified: true,
      name: 'Alice Liddell',
    });
    expect((claims.exp as number) - (claims.iat as number)).toBe(150);
    // Without an audience the access token is for userinfo.
    const userinfo = await agent.fetch('userinfo', { headers: { authorization: `Bearer ${json.access_token}` } });
    expect(userinfo.status).toBe(200);
    expect(await userinfo.json()).toMatchObject({ sub: 'alice', email: 'alice@example.com' });
  });

  it('issues a JWT access token whose aud is the API for an Auth0-style audience', async () => {
    const agent = new Agent(idp);
    const result = await authorize(agent, idp, { scope: 'openid profile read:messages', audience: API });
    const { json } = await exchangeCode(agent, result);
    expect(json.scope?.split(' ').sort()).toEqual(['openid', 'profile', 'read:messages']);
    const access = decodeJwt(json.access_token);
    expect(access).toMatchObject({ aud: API, sub: 'alice', client_id: 'site-a', iss: idp.issuer, scope: 'read:messages' });
    expect(decodeJwt(json.id_token).aud).toBe('site-a');
  });

  it('issues the same for an RFC 8707 resource indicator', async () => {
    const agent = new Agent(idp);
    const result = await authorize(agent, idp, { scope: 'openid', resource: API });
    const { json } = await exchangeCode(agent, result);
    expect(decodeJwt(json.access_token)).toMatchObject({ aud: API });
  });

  it('rejects an unknown audience with an error redirect', async () => {
    const agent = new Agent(idp);
    const result = await authorize(agent, idp, { audience: 'https://unknown.example' });
    expect(result.error).toBe('invalid_target');
  });

  it('requires PKCE with S256', async () => {
    const agent = new Agent(idp);
    const url = new URL(authorizeUrl(idp, {}, pkce().challenge, 'st'));
    url.searchParams.delete('code_challenge');
    url.searchParams.delete('code_challenge_method');
    const { location } = await agent.follow(url.href);
    expect(location?.searchParams.get('error')).toBe('invalid_request');
    const plain = new URL(authorizeUrl(idp, {}, 'x'.repeat(43), 'st'));
    plain.searchParams.set('code_challenge_method', 'plain');
    const second = await agent.follow(plain.href);
    expect(second.location?.searchParams.get('error')).toBe('invalid_request');
  });

  it('rejects a code exchange with the wrong verifier', async () => {
    const agent = new Agent(idp);
    const result = await authorize(agent, idp);
    const { status, json } = await exchangeCode(agent, { ...result, pkce: pkce() });
    expect(status).toBe(400);
    expect(json.error).toBe('invalid_grant');
  });

  it('shows "Wrong email or password." and stays on the form for a wrong password', async () => {
    const agent = new Agent(idp);
    const first = await agent.follow(authorizeUrl(idp, {}, pkce().challenge, 'st'));
    expect(first.body).toContain('<input id="login" name="login"');
    expect(first.body).toContain('name="password" type="password"');
    expect(first.body).toContain('<button type="submit">Sign in</button>');
    expect(first.body).not.toMatch(/https?:\/\/(?!app-|idp\.)/); // no external fonts or scripts
    expect(first.response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const wrong = await agent.follow(formAction(first.body), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ login: 'alice@example.com', password: 'nope' }).toString(),
    });
    expect(wrong.location).toBeUndefined();
    expect(wrong.body).toContain('Wrong email or password.');
    // The same form still works with the right password.
    const right = await agent.follow(formAction(wrong.body), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ login: 'alice@example.com', password: 'wonderland' }).toString(),
    });
    expect(right.location?.searchParams.get('code')).toBeTruthy();
  });

  it('answers an unknown client with an error page, never a redirect', async () => {
    const agent = new Agent(idp);
    const response = await agent.fetch(authorizeUrl(idp, { clientId: 'nobody' }, pkce().challenge, 'st'));
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(response.headers.get('content-type')).toContain('text/html');
    const body = await response.text();
    expect(body).toContain('invalid_client');
  });

  it('answers a redirect URI that is not registered with an error page, never a redirect', async () => {
    const agent = new Agent(idp);
    for (const redirectUri of [`${APP}/other`, `${APP}/callback/`, `${APP_B}/callback`, 'https://evil.example/callback']) {
      const response = await agent.fetch(authorizeUrl(idp, { redirectUri }, pkce().challenge, 'st'));
      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
      expect(await response.text()).toContain('redirect_uri');
    }
  });

  it('sets the session cookie SameSite=None; Secure; HttpOnly on loopback http, interaction cookies Lax', async () => {
    const agent = new Agent(idp);
    const codes = pkce();
    const start = await agent.fetch(authorizeUrl(idp, {}, codes.challenge, 'st'));
    const interactionCookies = start.headers.getSetCookie().filter((cookie) => cookie.startsWith('_interaction'));
    expect(interactionCookies.length).toBeGreaterThan(0);
    for (const cookie of interactionCookies) {
      expect(cookie).toMatch(/; samesite=lax/i);
      expect(cookie).toMatch(/; secure/i);
    }
    const page = await agent.follow(start.headers.get('location')!);
    const post = await agent.fetch(formAction(page.body), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'login=alice%40example.com&password=wonderland',
    });
    const resume = await agent.fetch(post.headers.get('location')!);
    const session = resume.headers.getSetCookie().find((cookie) => cookie.startsWith('_session='));
    expect(session).toBeDefined();
    expect(session).toMatch(/; secure/i);
    expect(session).toMatch(/; samesite=none/i);
    expect(session).toMatch(/; httponly/i);
    expect(session).toMatch(/; expires=/i);
  });
});

describe('prompt=none', { timeout: 20_000 }, () => {
  let idp: DevIdp;

  beforeAll(async () => {
    idp = await startIdp();
  });
  afterAll(async () => {
    await idp?.close();
  });

  it('answers login_required without a session, with state and iss', async () => {
    const agent = new Agent(idp);
    const result = await authorize(agent, idp, { prompt: 'none' }, undefined);
    expect(result.error).toBe('login_required');
    expect(result.location.searchParams.get('state')).toBe(result.state);
    expect(result.location.searchParams.get('iss')).toBe(idp.issuer);
  });

  it('answers with a code when the session exists, for this and another first-party client (no consent)', async () => {
    const agent = new Agent(idp);
    await authorize(agent, idp);
    const silentA = await authorize(
      agent,
      idp,
      { prompt: 'none', scope: 'openid profile email offline_access', audience: API },
      undefined,
    );
    expect(silentA.code).toBeTruthy();
    const silentB = await authorize(
      agent,
      idp,
      {
        prompt: 'none',
        clientId: 'site-b',
        redirectUri: `${APP_B}/callback`,
        scope: 'openid email read:messages',
        audience: API,
      },
      undefined,
    );
    expect(silentB.error).toBeNull();
    const { json } = await exchangeCode(agent, silentB, 'site-b', `${APP_B}/callback`);
    expect(decodeJwt(json.id_token)).toMatchObject({ aud: 'site-b', sub: 'alice' });
    expect(decodeJwt(json.access_token)).toMatchObject({ aud: API, scope: 'read:messages' });
  });

  it('completes an explicit prompt=consent without showing a consent screen', async () => {
    const agent = new Agent(idp);
    await authorize(agent, idp);
    const result = await authorize(agent, idp, { prompt: 'consent', scope: 'openid email offline_access' }, undefined);
    expect(result.error).toBeNull();
    const { json } = await exchangeCode(agent, result);
    expect(json.refresh_token).toBeTruthy();
  });

  it('delivers the response by web_message, fragment or query as asked', async () => {
    const agent = new Agent(idp);
    await authorize(agent, idp);
    const codes = pkce();
    const response = await agent.fetch(authorizeUrl(idp, { prompt: 'none', responseMode: 'web_message' }, codes.challenge, 'wm'));
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('authorization_response');
    expect(html).toContain('"state":"wm"');
    expect(html).toContain(`"redirect_uri":"${APP}/callback"`);
    const fragment = await agent.fetch(authorizeUrl(idp, { prompt: 'none', responseMode: 'fragment' }, codes.challenge, 'fr'));
    const location = new URL(fragment.headers.get('location')!);
    expect(new URLSearchParams(location.hash.slice(1)).get('state')).toBe('fr');
  });
});

describe('CORS', { timeout: 20_000 }, () => {
  let idp: DevIdp;

  beforeAll(async () => {
    idp = await startIdp({ introspection: true });
  });
  afterAll(async () => {
    await idp?.close();
  });

  it('allows the token endpoint only from the client registered web origins', async () => {
    const agent = new Agent(idp);
    const result = await authorize(agent, idp);
    const allowed = await tokenRequest(
      agent,
      {
        grant_type: 'authorization_code',
        client_id: 'site-a',
        code: result.code!,
        redirect_uri: `${APP}/callback`,
        code_verifier: result.pkce.verifier,
      },
      { origin: APP },
    );
    expect(allowed.status).toBe(200);
    expect(allowed.response.headers.get('access-control-allow-origin')).toBe(APP);

    const second = await authorize(agent, idp);
    const denied = await tokenRequest(
      agent,
      {
        grant_type: 'authorization_code',
        client_id: 'site-a',
        code: second.code!,
        redirect_uri: `${APP}/callback`,
        code_verifier: second.pkce.verifier,
      },
      { origin: APP_B },
    );
    expect(denied.response.headers.get('access-control-allow-origin')).toBeNull();
    expect(denied.status).toBe(400);

    const userinfo = await agent.fetch('userinfo', {
      headers: { authorization: `Bearer ${allowed.json.access_token}`, origin: 'https://evil.example' },
    });
    expect(userinfo.headers.get('access-control-allow-origin')).toBeNull();
    const userinfoOk = await agent.fetch('userinfo', {
      headers: { authorization: `Bearer ${allowed.json.access_token}`, origin: APP },
    });
    expect(userinfoOk.headers.get('access-control-allow-origin')).toBe(APP);
  });

  it('allows the dev session endpoint only from registered web origins', async () => {
    const agent = new Agent(idp);
    const allowed = await agent.fetch('dev/sessions', { headers: { origin: APP } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe(APP);
    const denied = await agent.fetch('dev/sessions', { headers: { origin: 'https://evil.example' } });
    expect(denied.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('cookies for an issuer that is not a loopback name', { timeout: 20_000 }, () => {
  it('fall back to SameSite=Lax without Secure, and sign-in still works over http', async () => {
    const idp = await startIdp({ hostname: 'idp.example.test' });
    try {
      const agent = new Agent(idp);
      const codes = pkce();
      const page = await agent.follow(authorizeUrl(idp, {}, codes.challenge, 'st'));
      const post = await agent.fetch(formAction(page.body), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'login=alice%40example.com&password=wonderland',
      });
      const resume = await agent.fetch(post.headers.get('location')!);
      const session = resume.headers.getSetCookie().find((cookie) => cookie.startsWith('_session='));
      expect(session).toMatch(/; samesite=lax/i);
      expect(session).not.toMatch(/; secure/i);
      expect(new URL(resume.headers.get('location')!).searchParams.get('code')).toBeTruthy();
    } finally {
      await idp.close();
    }
  });
});
