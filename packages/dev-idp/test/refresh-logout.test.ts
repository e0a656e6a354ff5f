import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevIdp } from '../src/index.js';
import { Agent, API, APP, authorize, decodeJwt, exchangeCode, startIdp, submitForm, tokenRequest } from './helpers.js';

async function signInWithRefresh(idp: DevIdp, agent = new Agent(idp)) {
  const result = await authorize(agent, idp, { scope: 'openid profile email offline_access', audience: API });
  const { json } = await exchangeCode(agent, result);
  return { agent, tokens: json };
}

function refresh(agent: Agent, refreshToken: string, clientId = 'site-a') {
  return tokenRequest(agent, { grant_type: 'refresh_token', client_id: clientId, refresh_token: refreshToken });
}

function revoke(agent: Agent, token: string, tokenTypeHint: string, clientId = 'site-a') {
  return agent.fetch('oauth/revoke', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: clientId, token, token_type_hint: tokenTypeHint }).toString(),
  });
}

describe('refresh tokens', { timeout: 20_000 }, () => {
  let idp: DevIdp;

  beforeAll(async () => {
    idp = await startIdp();
  });
  afterAll(async () => {
    await idp?.close();
  });

  it('are issued to a public client that asks for offline_access, without prompt=consent', async () => {
    const { tokens } = await signInWithRefresh(idp);
    expect(tokens.refresh_token).toBeTruthy();
    const agent = new Agent(idp);
    const without = await exchangeCode(agent, await authorize(agent, idp, { scope: 'openid profile' }));
    expect(without.json.refresh_token).toBeUndefined();
  });

  it('rotate on every use and keep the API audience', async () => {
    const { agent, tokens } = await signInWithRefresh(idp);
    const first = await refresh(agent, tokens.refresh_token!);
    expect(first.status).toBe(200);
    expect(first.json.refresh_token).toBeTruthy();
    expect(first.json.refresh_token).not.toBe(tokens.refresh_token);
    expect(decodeJwt(first.json.access_token)).toMatchObject({ aud: API, sub: 'alice' });
    expect(first.json.scope?.split(' ').sort()).toEqual(['email', 'offline_access', 'openid', 'profile']);
    expect(decodeJwt(first.json.id_token)).toMatchObject({ aud: 'site-a', sub: 'alice', iss: idp.issuer });
    const second = await refresh(agent, first.json.refresh_token!);
    expect(second.status).toBe(200);
    expect(second.json.refresh_token).not.toBe(first.json.refresh_token);
  });

  it('revoke the whole grant when a rotated token is used again', async () => {
    const { agent, tokens } = await signInWithRefresh(idp);
    const rotated = await refresh(agent, tokens.refresh_token!);
    expect(rotated.status).toBe(200);
    const reuse = await refresh(agent, tokens.refresh_token!);
    expect(reuse.status).toBe(400);
    expect(reuse.json.error).toBe('invalid_grant');
    // The newest token of the chain dies with the grant.
    const newest = await refresh(agent, rotated.json.refresh_token!);
    expect(newest.status).toBe(400);
    expect(newest.json.error).toBe('invalid_grant');
  });

  it('belong to the client they were issued to', async () => {
    const { agent, tokens } = await signInWithRefresh(idp);
    const other = await refresh(agent, tokens.refresh_token!, 'site-b');
    expect(other.json.error).toBe('invalid_grant');
  });

  it('can be revoked at /oauth/revoke', async () => {
    const { agent, tokens } = await signInWithRefresh(idp);
    const response = await revoke(agent, tokens.refresh_token!, 'refresh_token');
    expect(response.status).toBe(200);
    expect((await refresh(agent, tokens.refresh_token!)).json.error).toBe('invalid_grant');
  });

  it('cannot be revoked by another client, nor can its access token', async () => {
    const agent = new Agent(idp);
    // Without an audience the access token is opaque (for userinfo), so it is revocable too.
    const { json: tokens } = await exchangeCode(agent, await authorize(agent, idp, { scope: 'openid offline_access' }));
    expect(tokens.access_token?.split('.')).toHaveLength(1);
    // Revocation answers 200 either way (RFC 7009), so it tells no one whose token it was.
    expect((await revoke(agent, tokens.refresh_token!, 'refresh_token', 'site-b')).status).toBe(200);
    expect((await revoke(agent, tokens.access_token!, 'access_token', 'site-b')).status).toBe(200);
    const userinfo = await agent.fetch('userinfo', { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(userinfo.status).toBe(200);
    expect((await refresh(agent, tokens.refresh_token!)).status).toBe(200);
  });
});

describe('logout', { timeout: 20_000 }, () => {
  let idp: DevIdp;

  beforeAll(async () => {
    idp = await startIdp({ introspection: true });
  });
  afterAll(async () => {
    await idp?.close();
  });

  async function expectSignedOut(agent: Agent, refreshToken: string) {
    expect((await refresh(agent, refreshToken)).json.error).toBe('invalid_grant');
    expect((await authorize(agent, idp, { prompt: 'none' }, undefined)).error).toBe('login_required');
  }

  it('with id_token_hint ends the session and its refresh tokens without a confirmation click', async () => {
    const { agent, tokens } = await signInWithRefresh(idp);
    const before = await idp.listSessions();
    const url = new URL('oidc/logout', idp.issuer);
    url.searchParams.set('id_token_hint', tokens.id_token!);
    url.searchParams.set('post_logout_redirect_uri', `${APP}/`);
    url.searchParams.set('state', 'bye');
    const page = await agent.follow(url.href);
    expect(page.location).toBeUndefined();
    expect(page.body).not.toContain('Sign out</button>');
    expect(page.body).toContain('document.forms[0].submit()');
    const done = await submitForm(agent, page.body);
    expect(done.location?.href).toBe(`${APP}/?state=bye`);
    await expectSignedOut(agent, tokens.refresh_token!);
    expect((await idp.listSessions()).length).toBe(before.length - 1);
  });

  it('with client_id alone ends the session too', async () => {
    const { agent, tokens } = await signInWithRefresh(idp);
    const url = new URL('oidc/logout', idp.issuer);
    url.searchParams.set('client_id', 'site-a');
    url.searchParams.set('post_logout_redirect_uri', `${APP}/`);
    const done = await submitForm(agent, (await agent.follow(url.href)).body);
    expect(done.location?.href).toBe(`${APP}/`);
    await expectSignedOut(agent, tokens.refresh_token!);
  });

  it('at Auth0 /v2/logout with returnTo and client_id', async () => {
    const { agent, tokens } = await signInWithRefresh(idp);
    const url = new URL('v2/logout', idp.issuer);
    url.searchParams.set('client_id', 'site-a');
    url.searchParams.set('returnTo', `${APP}/`);
    const page = await agent.follow(url.href);
    const done = await submitForm(agent, page.body);
    expect(done.location?.href).toBe(`${APP}/`);
    await expectSignedOut(agent, tokens.refresh_token!);
  });

  it('at Auth0 /v2/logout with only returnTo, finding the client that registered it', async () => {
    const { agent, tokens } = await signInWithRefresh(idp);
    const url = new URL('v2/logout', idp.issuer);
    url.searchParams.set('returnTo', `${APP}/`);
    const page = await agent.follow(url.href);
    expect(page.body).toContain('document.forms[0].submit()');
    const done = await submitForm(agent, page.body);
    expect(done.location?.href).toBe(`${APP}/`);
    await expectSignedOut(agent, tokens.refresh_token!);
  });

  it('refuses a post_logout_redirect_uri that is not registered, with an error page', async () => {
    const { agent } = await signInWithRefresh(idp);
    const url = new URL('oidc/logout', idp.issuer);
    url.searchParams.set('client_id', 'site-a');
    url.searchParams.set('post_logout_redirect_uri', 'https://evil.example/');
    const response = await agent.fetch(url.href);
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
  });

  it('without a client asks for confirmation', async () => {
    const { agent } = await signInWithRefresh(idp);
    const page = await agent.follow(new URL('oidc/logout', idp.issuer).href);
    expect(page.body).toContain('<button type="submit">Sign out</button>');
  });

  it('through endSession() and DELETE /dev/sessions/:id revokes refresh tokens as well', async () => {
    const first = await signInWithRefresh(idp);
    const [session] = (await idp.listSessions()).slice(-1);
    expect(await idp.endSession(session!.id)).toBe(true);
    await expectSignedOut(first.agent, first.tokens.refresh_token!);

    const second = await signInWithRefresh(idp);
    const [other] = (await idp.listSessions()).slice(-1);
    const response = await second.agent.fetch(`dev/sessions/${other!.id}`, { method: 'DELETE' });
    expect(response.status).toBe(204);
    await expectSignedOut(second.agent, second.tokens.refresh_token!);
    expect((await second.agent.fetch(`dev/sessions/${other!.id}`, { method: 'DELETE' })).status).toBe(404);
  });
});

describe('introspection', { timeout: 20_000 }, () => {
  it('is off unless enabled', async () => {
    const idp = await startIdp();
    try {
      const agent = new Agent(idp);
      await authorize(agent, idp);
      expect((await agent.fetch('dev/sessions')).status).toBe(404);
      // The programmatic API works regardless.
      expect(await idp.listSessions()).toHaveLength(1);
    } finally {
      await idp.close();
    }
  });

  it('lists sessions with their deadlines', async () => {
    const idp = await startIdp({ introspection: true, sessionIdleSeconds: 60, sessionAbsoluteSeconds: 600 });
    try {
      const agent = new Agent(idp);
      await authorize(agent, idp);
      const sessions = (await (await agent.fetch('dev/sessions')).json()) as Record<string, number | string>[];
      expect(sessions).toHaveLength(1);
      const [session] = sessions;
      expect(session).toMatchObject({ accountId: 'alice' });
      // The id is not the session cookie's value, so listing sessions cannot leak cookies.
      expect(agent.jar.header(`${idp.issuer}authorize`)).not.toContain(String(session!.id));
      expect(session!.idleExpiresAt).toBe((session!.lastActiveAt as number) + 60);
      expect(session!.absoluteExpiresAt).toBe((session!.loginAt as number) + 600);
    } finally {
      await idp.close();
    }
  });
});
