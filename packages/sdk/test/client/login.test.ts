import { describe, expect, it } from 'vitest';
import { SsoError } from '../../src/index.js';
import { APP, ISSUER, REDIRECT_URI } from '../support/fake-op.js';
import { world } from '../support/setup.js';

const txKey = `sso-spa.tx::${ISSUER}::site-a`;

describe('loginWithRedirect and handleRedirectCallback', () => {
  it('sends an authorization request with PKCE S256, state and nonce, and returns appState (deep link)', async () => {
    const w = world({ authorizationParams: { redirect_uri: REDIRECT_URI, audience: 'https://api.example' } });
    await w.client.loginWithRedirect({ appState: { targetUrl: '/orders' } });
    const url = new URL(w.tab.navigations[0] as string);
    expect(url.origin + url.pathname).toBe(`${ISSUER}authorize`);
    const q = url.searchParams;
    expect(q.get('response_type')).toBe('code');
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(q.get('state')).toMatch(/^[\w-]{20,}$/);
    expect(q.get('nonce')).toMatch(/^[\w-]{20,}$/);
    expect(q.get('scope')).toBe('openid profile email');
    expect(q.get('audience')).toBe('https://api.example');
    expect(q.get('redirect_uri')).toBe(REDIRECT_URI);
    expect(q.has('code_verifier')).toBe(false);

    w.tab.url = w.op.callbackUrl(url.href);
    const result = await w.client.handleRedirectCallback();
    expect(result).toEqual({ appState: { targetUrl: '/orders' } });
    expect(w.tab.url).toBe(REDIRECT_URI);
    expect(await w.client.isAuthenticated()).toBe(true);
    expect(await w.client.getUser()).toEqual({ sub: 'alice', name: 'Alice Liddell', email: 'alice@example.com' });
    const token = await w.client.getTokenSilently({ authorizationParams: { audience: 'https://api.example' } });
    expect(token).toMatch(/^at-/);
    expect(w.op.calls.token).toBe(1);
    expect(w.events).toContainEqual(
      expect.objectContaining({ type: 'tokens', source: 'redirect', throughProvider: true, sub: 'alice' }),
    );
    // Transaction gone: no verifier, nonce or state left behind.
    expect(w.tab.session.getItem(txKey)).toBeNull();
  });

  it('cleans the address bar before its first await, and consumes the transaction', async () => {
    const w = world();
    await w.client.loginWithRedirect();
    w.tab.url = `${w.op.callbackUrl(w.tab.navigations[0] as string, `${APP}/callback?keep=1`)}#frag`;
    expect(w.tab.session.getItem(txKey)).not.toBeNull();
    const pending = w.client.handleRedirectCallback();
    expect(w.tab.url).toBe(`${APP}/callback?keep=1#frag`);
    await pending;
    expect(w.tab.session.getItem(txKey)).toBeNull();
  });

  it('lets only one of two concurrent calls for the same response exchange its code', async () => {
    const w = world();
    await w.client.loginWithRedirect();
    const callback = w.op.callbackUrl(w.tab.navigations[0] as string);
    w.tab.url = callback;
    // React Strict Mode runs a mount effect twice: both calls start before either awaits.
    const results = await Promise.allSettled([w.client.handleRedirectCallback(), w.client.handleRedirectCallback(callback)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'state_mismatch' } });
    expect(w.op.calls.token).toBe(1);
    expect(w.tab.session.getItem(txKey)).toBeNull();
  });

  it('fails the second run of the same callback URL with state_mismatch and no token call', async () => {
    const w = world();
    await w.client.loginWithRedirect();
    const callback = w.op.callbackUrl(w.tab.navigations[0] as string);
    w.tab.url = callback;
    await w.client.handleRedirectCallback();
    const calls = w.op.calls.token;
    await expect(w.client.handleRedirectCallback(callback)).rejects.toMatchObject({ code: 'state_mismatch' });
    expect(w.op.calls.token).toBe(calls);
  });

  it.each(['', 'wrong', '__proto__', 'constructor', 'toString', 'hasOwnProperty'])(
    'rejects state %j with state_mismatch and no token request',
    async (state) => {
      const w = world();
      await w.client.loginWithRedirect();
      w.tab.url = `${REDIRECT_URI}?code=abc&state=${state}&iss=${encodeURIComponent(ISSUER)}`;
      await expect(w.client.handleRedirectCallback()).rejects.toMatchObject({ code: 'state_mismatch' });
      expect(w.op.calls.token).toBe(0);
      expect(await w.client.isAuthenticated()).toBe(false);
    },
  );

  it("rejects another tab's transaction", async () => {
    const w = world();
    await w.client.loginWithRedirect();
    const other = w.openTab();
    other.tab.url = w.op.callbackUrl(w.tab.navigations[0] as string);
    await expect(other.client.handleRedirectCallback()).rejects.toMatchObject({ code: 'state_mismatch' });
    expect(w.op.calls.token).toBe(0);
  });

  it('maps an error response to a typed error with the provider words, and consumes the transaction', async () => {
    const w = world();
    await w.client.loginWithRedirect();
    const state = new URL(w.tab.navigations[0] as string).searchParams.get('state');
    w.tab.url = `${REDIRECT_URI}?error=access_denied&error_description=%3Cb%3Eno%3C%2Fb%3E&state=${state}&iss=${encodeURIComponent(ISSUER)}`;
    const error = (await w.client.handleRedirectCallback().catch((e) => e)) as SsoError;
    expect(error).toBeInstanceOf(SsoError);
    expect(error.code).toBe('access_denied');
    expect(error.error).toBe('access_denied');
    expect(error.errorDescription).toBe('<b>no</b>');
    expect(error.message).not.toContain('<b>');
    expect(w.tab.url).toBe(REDIRECT_URI);
    expect(w.tab.session.getItem(txKey)).toBeNull();
  });

  it.each([
    ['another issuer', 'https://evil.example/'],
    ['a missing iss while the provider advertises it', null],
  ])('rejects %s (RFC 9207) before the code exchange', async (_name, iss) => {
    const w = world();
    await w.client.loginWithRedirect();
    const params = w.op.authorize(w.tab.navigations[0] as string);
    if (iss === null) params.delete('iss');
    else params.set('iss', iss);
    w.tab.url = `${REDIRECT_URI}?${params}`;
    await expect(w.client.handleRedirectCallback()).rejects.toMatchObject({ code: 'issuer_mismatch' });
    expect(w.op.calls.token).toBe(0);
  });

  it('fails an injected code (PKCE) with invalid_grant, stores nothing and does not retry', async () => {
    const w = world();
    await w.client.loginWithRedirect();
    const attacker = world();
    await attacker.client.loginWithRedirect();
    const attackerCode = attacker.op.authorize(attacker.tab.navigations[0] as string).get('code') as string;
    const victim = w.op.authorize(w.tab.navigations[0] as string);
    // The attacker's code is known to this provider too (same op), but bound to another verifier.
    const stolen = w.op.authorize(attacker.tab.navigations[0] as string).get('code') as string;
    victim.set('code', stolen ?? attackerCode);
    w.tab.url = `${REDIRECT_URI}?${victim}`;
    const error = await w.client.handleRedirectCallback().catch((e) => e);
    expect(error).toMatchObject({ code: 'invalid_grant', status: 400 });
    expect(w.op.calls.token).toBe(1);
    expect(await w.client.isAuthenticated()).toBe(false);
    expect(await w.client.getTokenSilently({ cacheMode: 'cache-only' })).toBeUndefined();
  });

  it('fails fast with storage_unavailable when the transaction cannot survive the redirect', async () => {
    const w = world();
    w.tab.session.failWrites = true;
    await expect(w.client.loginWithRedirect()).rejects.toMatchObject({ code: 'storage_unavailable' });
    expect(w.tab.navigations).toHaveLength(0);
  });

  it('uses openUrl instead of navigating when given', async () => {
    const w = world();
    const opened: string[] = [];
    await w.client.loginWithRedirect({ openUrl: (url) => void opened.push(url) });
    expect(opened).toHaveLength(1);
    expect(w.tab.navigations).toHaveLength(0);
  });

  it('never puts a token, code or verifier in an error message', async () => {
    const w = world();
    await w.client.loginWithRedirect();
    w.op.nextTokenResponse = () =>
      Response.json({
        access_token: 'SECRET-AT',
        token_type: 'Bearer',
        expires_in: 'soon',
        id_token: 'a.b.c',
        refresh_token: 'SECRET-RT',
      });
    const callback = w.op.callbackUrl(w.tab.navigations[0] as string);
    w.tab.url = callback;
    const error = (await w.client.handleRedirectCallback().catch((e) => e)) as SsoError;
    expect(error.code).toBe('invalid_id_token');
    const code = new URL(callback).searchParams.get('code') as string;
    const text = `${error.message} ${String((error.cause as Error | undefined)?.message)} ${JSON.stringify(error)}`;
    for (const secret of ['SECRET-AT', 'SECRET-RT', code]) expect(text).not.toContain(secret);
  });
});
