import { describe, expect, it } from 'vitest';
import { ISSUER, jwt, REDIRECT_URI } from '../support/fake-op.js';
import { settle, world } from '../support/setup.js';

describe('getTokenSilently', () => {
  it('answers from the cache while the pair is valid, then renews through the iframe with prompt=none and id_token_hint', async () => {
    const w = world({}, { idTokenSeconds: 100, accessTokenSeconds: 300 });
    await w.login();
    const first = await w.client.getTokenSilently();
    expect(await w.client.getTokenSilently()).toBe(first);
    expect(w.tab.frames).toHaveLength(0);

    // The pair goes with the shorter-lived ID token, minus the renewal margin (10 s of 100 s).
    w.browser.advance(89_000);
    expect(await w.client.getTokenSilently()).toBe(first);
    w.browser.advance(2_000);
    const renewed = await w.client.getTokenSilently();
    expect(renewed).not.toBe(first);
    expect(w.tab.frames).toHaveLength(1);
    const frame = w.tab.frames[0] as { url: string; messageOrigin: string; state: string };
    const q = new URL(frame.url).searchParams;
    expect(q.get('prompt')).toBe('none');
    expect(q.get('response_mode')).toBe('web_message');
    expect(q.get('id_token_hint')).toMatch(/^ey/);
    expect(frame.messageOrigin).toBe(new URL(ISSUER).origin);
    expect(frame.state).toBe(q.get('state'));
    expect(w.events.filter((e) => e.type === 'tokens').map((e) => e.type === 'tokens' && e.source)).toEqual([
      'redirect',
      'iframe',
    ]);
  });

  it('returns the detailed response, and undefined for a cache-only miss', async () => {
    const w = world();
    expect(await w.client.getTokenSilently({ cacheMode: 'cache-only' })).toBeUndefined();
    await w.login();
    const detailed = await w.client.getTokenSilently({ detailedResponse: true });
    expect(detailed).toEqual({
      access_token: expect.stringMatching(/^at-/),
      id_token: expect.stringMatching(/^ey/),
      expires_in: 150,
      scope: 'openid profile email',
      token_type: 'Bearer',
    });
  });

  it('cacheMode off always renews', async () => {
    const w = world();
    await w.login();
    const first = await w.client.getTokenSilently();
    const second = await w.client.getTokenSilently({ cacheMode: 'off' });
    expect(second).not.toBe(first);
    expect(w.tab.frames).toHaveLength(1);
  });

  it('is a hit for a subset of the cached scopes', async () => {
    const w = world({ authorizationParams: { redirect_uri: REDIRECT_URI, scope: 'openid profile email read:messages' } });
    await w.login();
    await w.client.getTokenSilently({ authorizationParams: { scope: 'openid read:messages' } });
    expect(w.tab.frames).toHaveLength(0);
    await w.client.getTokenSilently({ authorizationParams: { scope: 'openid write:messages' } });
    expect(w.tab.frames).toHaveLength(1);
  });

  it('shares one renewal between concurrent callers in the tab', async () => {
    const w = world();
    await w.login();
    w.browser.advance(200_000);
    const tokens = await Promise.all([1, 2, 3, 4, 5].map(() => w.client.getTokenSilently()));
    expect(new Set(tokens).size).toBe(1);
    expect(w.tab.frames).toHaveLength(1);
  });

  it('re-reads a shared cache after taking the cross-tab lock, so two tabs renew once', async () => {
    const w = world({ cacheLocation: 'localstorage', useRefreshTokens: true });
    await w.login();
    const other = w.openTab();
    w.browser.advance(200_000);
    const [a, b] = await Promise.all([w.client.getTokenSilently(), other.client.getTokenSilently()]);
    expect(a).toBe(b);
    expect(w.op.calls.refresh).toBe(1);
  });

  it('maps login_required and the other no-session answers to typed errors and emits renewal_failed', async () => {
    const w = world();
    await w.login();
    w.op.session = false;
    await expect(w.client.getTokenSilently({ cacheMode: 'off' })).rejects.toMatchObject({
      code: 'login_required',
      error: 'login_required',
    });
    for (const error of ['consent_required', 'interaction_required', 'account_selection_required']) {
      w.tab.frameAnswer = async (request) => new URLSearchParams({ error, state: request.state, iss: ISSUER });
      await expect(w.client.getTokenSilently({ cacheMode: 'off' })).rejects.toMatchObject({ code: error });
    }
    expect(w.events.filter((e) => e.type === 'renewal_failed').map((e) => e.type === 'renewal_failed' && e.code)).toEqual([
      'login_required',
      'consent_required',
      'interaction_required',
      'account_selection_required',
    ]);
  });

  it('uses the silent-callback page when the provider has no web_message', async () => {
    const w = world({ silentCallbackUri: 'https://app.example/silent.html' }, { webMessage: false });
    await w.login();
    await w.client.getTokenSilently({ cacheMode: 'off' });
    const frame = w.tab.frames[0] as { url: string; messageOrigin: string };
    const q = new URL(frame.url).searchParams;
    expect(q.has('response_mode')).toBe(false);
    expect(q.get('redirect_uri')).toBe('https://app.example/silent.html');
    expect(frame.messageOrigin).toBe('https://app.example');
  });

  it('purges the old user and emits user_changed when silent auth returns another sub', async () => {
    const w = world({ cacheLocation: 'localstorage' });
    await w.login();
    const other = w.openTab();
    w.op.sub = 'bob';
    await w.client.getTokenSilently({ cacheMode: 'off' });
    await settle();
    expect((await w.client.getUser())?.sub).toBe('bob');
    expect(w.events).toContainEqual({ type: 'signed_out', reason: 'user_changed', fromOtherTab: false });
    expect(other.events).toContainEqual({ type: 'signed_out', reason: 'user_changed', fromOtherTab: true });
    expect((await other.client.getUser())?.sub).toBe('bob');
    expect(w.browser.local.keys().every((key) => !w.browser.local.getItem(key)?.includes('"sub":"alice"'))).toBe(true);
  });

  it('rejects a bad ID token from silent auth without storing it', async () => {
    const w = world();
    await w.login();
    const before = await w.client.getTokenSilently();
    w.op.idTokenClaims = { aud: ['site-a', 'other'] };
    await expect(w.client.getTokenSilently({ cacheMode: 'off' })).rejects.toMatchObject({ code: 'invalid_id_token' });
    expect(await w.client.getTokenSilently()).toBe(before);
  });

  it('serves a cached token offline and reports network (not login_required) otherwise', async () => {
    const w = world();
    await w.login();
    const cached = await w.client.getTokenSilently();
    w.tab.fetch = async () => {
      throw new TypeError('Failed to fetch');
    };
    expect(await w.client.getTokenSilently()).toBe(cached);
    await expect(w.client.getTokenSilently({ cacheMode: 'off' })).rejects.toMatchObject({ code: 'network' });
    expect(await w.client.isAuthenticated()).toBe(true);
  });
});

describe('refresh tokens', () => {
  it('renews with the refresh token, rotating it atomically', async () => {
    const w = world({ useRefreshTokens: true });
    await w.login();
    expect(new URL(w.tab.navigations[0] as string).searchParams.get('scope')).toBe('openid profile email offline_access');
    const first = await w.client.getTokenSilently();
    w.browser.advance(200_000);
    const second = await w.client.getTokenSilently();
    w.browser.advance(200_000);
    const third = await w.client.getTokenSilently();
    expect(new Set([first, second, third]).size).toBe(3);
    expect(w.op.calls.refresh).toBe(2);
    expect(w.tab.frames).toHaveLength(0);
    const used = w.op.tokenBodies.filter((b) => b.get('grant_type') === 'refresh_token').map((b) => b.get('refresh_token'));
    expect(new Set(used).size).toBe(2);
    expect(w.events.at(-1)).toMatchObject({ type: 'tokens', source: 'refresh_token', throughProvider: false });
  });

  it('keeps the old refresh token when the provider does not rotate', async () => {
    const w = world({ useRefreshTokens: true }, { rotateRefreshTokens: false });
    await w.login();
    w.browser.advance(200_000);
    await w.client.getTokenSilently();
    w.browser.advance(200_000);
    await w.client.getTokenSilently();
    expect(w.op.calls.refresh).toBe(2);
  });

  it('drops a rejected refresh token (invalid_grant) and falls back to the iframe once when configured', async () => {
    const w = world({ useRefreshTokens: true, useRefreshTokensFallback: true });
    await w.login();
    w.browser.advance(200_000);
    w.op.nextTokenResponse = () => Response.json({ error: 'invalid_grant' }, { status: 400 });
    await w.client.getTokenSilently();
    expect(w.tab.frames).toHaveLength(1);
  });

  it('without fallback: invalid_grant, then missing_refresh_token, never refresh_token=undefined', async () => {
    const w = world({ useRefreshTokens: true });
    await w.login();
    w.browser.advance(200_000);
    w.op.nextTokenResponse = () => Response.json({ error: 'invalid_grant', error_description: 'revoked' }, { status: 400 });
    await expect(w.client.getTokenSilently()).rejects.toMatchObject({
      code: 'invalid_grant',
      status: 400,
      errorDescription: 'revoked',
    });
    const calls = w.op.calls.token;
    await expect(w.client.getTokenSilently()).rejects.toMatchObject({ code: 'missing_refresh_token' });
    expect(w.op.calls.token).toBe(calls);
    expect(w.tab.frames).toHaveLength(0);
  });

  it('keeps the refresh token after a network failure and does not retry by itself', async () => {
    const w = world({ useRefreshTokens: true });
    await w.login();
    w.browser.advance(200_000);
    w.op.nextTokenResponse = () => {
      throw new TypeError('Failed to fetch');
    };
    await expect(w.client.getTokenSilently()).rejects.toMatchObject({ code: 'network' });
    expect(w.op.calls.token).toBe(2);
  });

  it.each([
    [502, '<html>Bad gateway</html>', 'server_error'],
    [500, '', 'server_error'],
  ])('maps HTTP %i with a non-JSON body to a typed error with the status', async (status, body, code) => {
    const w = world({ useRefreshTokens: true });
    await w.login();
    w.browser.advance(200_000);
    w.op.nextTokenResponse = () => new Response(body, { status, headers: { 'content-type': 'text/html' } });
    await expect(w.client.getTokenSilently()).rejects.toMatchObject({ code, status });
    expect(await w.client.isAuthenticated()).toBe(true);
  });

  it.each([
    ['<html>oops</html>', 'text/html'],
    ['', 'text/plain'],
  ])(
    'P8: a 400 to a refresh with a non-JSON body (%j) is invalid_grant, and that refresh token is never sent again',
    async (body, type) => {
      const w = world({ useRefreshTokens: true });
      await w.login();
      w.browser.advance(200_000);
      w.op.nextTokenResponse = () => new Response(body, { status: 400, headers: { 'content-type': type } });
      await expect(w.client.getTokenSilently()).rejects.toMatchObject({ code: 'invalid_grant', status: 400 });
      const tokenCalls = w.op.calls.token;
      await expect(w.client.getTokenSilently()).rejects.toMatchObject({ code: 'missing_refresh_token' });
      expect(w.op.calls.token).toBe(tokenCalls);
    },
  );

  it('rejects a refreshed ID token for another user and ends the session', async () => {
    const w = world({ useRefreshTokens: true });
    await w.login();
    w.browser.advance(200_000);
    const now = Math.floor(w.browser.time / 1000);
    w.op.nextTokenResponse = () =>
      Response.json({
        access_token: 'x',
        token_type: 'Bearer',
        expires_in: 60,
        id_token: jwt({ iss: ISSUER, aud: 'site-a', sub: 'mallory', iat: now, exp: now + 60 }),
      });
    await expect(w.client.getTokenSilently()).rejects.toMatchObject({ code: 'invalid_id_token' });
    expect(await w.client.isAuthenticated()).toBe(false);
    expect(w.events.at(-2)).toEqual({ type: 'signed_out', reason: 'invalid_grant', fromOtherTab: false });
  });

  it("renewVia 'provider' goes through the iframe even with refresh tokens", async () => {
    const w = world({ useRefreshTokens: true });
    await w.login();
    await w.client.getTokenSilently({ cacheMode: 'off', renewVia: 'provider' });
    expect(w.tab.frames).toHaveLength(1);
    expect(w.op.calls.refresh).toBe(0);
    expect(w.events.at(-1)).toMatchObject({ type: 'tokens', source: 'iframe', throughProvider: true });
  });
});
