import { describe, expect, it } from 'vitest';
import { createSsoClient, SsoClient } from '../../src/index.js';
import { APP, CLIENT_ID, ISSUER, REDIRECT_URI } from '../support/fake-op.js';
import { settle, world } from '../support/setup.js';

describe('logout and clearSession', () => {
  it('clears the cache in every tab, then goes to end_session_endpoint with id_token_hint, client_id and post_logout_redirect_uri', async () => {
    const w = world({ cacheLocation: 'localstorage' });
    await w.login();
    const other = w.openTab();
    const idToken = (await w.client.getIdTokenClaims())?.__raw;
    await w.client.logout({ logoutParams: { returnTo: `${APP}/` } });
    await settle();
    const url = new URL(w.tab.navigations.at(-1) as string);
    expect(url.origin + url.pathname).toBe(`${ISSUER}oidc/logout`);
    expect(url.searchParams.get('id_token_hint')).toBe(idToken);
    expect(url.searchParams.get('client_id')).toBe(CLIENT_ID);
    expect(url.searchParams.get('post_logout_redirect_uri')).toBe(`${APP}/`);
    expect(w.browser.local.keys().filter((k) => k.startsWith('sso-spa::'))).toEqual([]);
    expect(await other.client.isAuthenticated()).toBe(false);
    expect(w.events.at(-1)).toEqual({ type: 'signed_out', reason: 'logout', fromOtherTab: false });
    expect(other.events.at(-1)).toEqual({ type: 'signed_out', reason: 'logout', fromOtherTab: true });
    expect(JSON.stringify(w.tab.posted)).not.toMatch(/at-|ey[A-Za-z0-9_-]{10,}/);
  });

  it('clears per-tab memory caches in the other tabs too', async () => {
    const w = world();
    await w.login();
    const other = w.openTab();
    await w.login(other.client, other.tab);
    await w.client.logout({ openUrl: false });
    await settle();
    expect(await other.client.isAuthenticated()).toBe(false);
    expect(await other.client.getTokenSilently({ cacheMode: 'cache-only' })).toBeUndefined();
  });

  it('openUrl false logs out locally only; without an ID token only client_id is sent', async () => {
    const w = world();
    await w.login();
    await w.client.logout({ openUrl: false });
    expect(w.tab.navigations).toHaveLength(1);
    expect(await w.client.getUser()).toBeUndefined();
    await w.client.logout();
    const url = new URL(w.tab.navigations.at(-1) as string);
    expect(url.searchParams.has('id_token_hint')).toBe(false);
    expect(url.searchParams.get('client_id')).toBe(CLIENT_ID);
  });

  it('clearSession ends the session everywhere with the given reason', async () => {
    const w = world({ cacheLocation: 'localstorage' });
    await w.login();
    const other = w.openTab();
    await w.client.clearSession('idle');
    await settle();
    expect(await w.client.isAuthenticated()).toBe(false);
    expect(other.events).toContainEqual({ type: 'signed_out', reason: 'idle', fromOtherTab: true });
  });

  it('tells other tabs about new tokens without sending them', async () => {
    const w = world({ cacheLocation: 'localstorage' });
    const other = w.openTab();
    await w.login();
    await settle();
    expect(other.events).toContainEqual(
      expect.objectContaining({ type: 'tokens', source: 'redirect', fromOtherTab: true, sub: 'alice' }),
    );
    expect(await other.client.getUser()).toMatchObject({ sub: 'alice' });
    expect(JSON.stringify(w.tab.posted)).not.toMatch(/at-|"ey/);
  });

  it('ignores malformed cross-tab messages', async () => {
    const w = world();
    await w.login();
    const before = w.events.length;
    const intruder = w.browser.tab();
    const channel = intruder.platform.broadcastChannel?.(`sso-spa::${ISSUER}::${CLIENT_ID}`);
    for (const message of [
      null,
      'x',
      { t: 'signed_out', reason: 'because' },
      { t: 'tokens', event: { type: 'tokens', sub: 1 } },
      { t: 'tokens', event: { type: 'tokens', sub: 'alice', source: 'evil' } },
    ]) {
      channel?.postMessage(message);
    }
    await settle();
    expect(w.events.length).toBe(before);
    expect(await w.client.isAuthenticated()).toBe(true);
  });

  it('unsubscribe stops the events', async () => {
    const w = world();
    const seen: string[] = [];
    const stop = w.client.subscribe((e) => seen.push(e.type));
    await w.login();
    stop();
    await w.client.clearSession('logout');
    expect(seen).toEqual(['tokens']);
  });
});

describe('checkSession', () => {
  it('signs in silently when the provider has a session, and swallows login_required otherwise', async () => {
    const w = world();
    await w.client.checkSession();
    expect(await w.client.isAuthenticated()).toBe(true);
    const signedOut = world();
    signedOut.op.session = false;
    await signedOut.client.checkSession();
    expect(await signedOut.client.isAuthenticated()).toBe(false);
  });

  it('does not run on the callback URL', async () => {
    const w = world();
    w.tab.url = `${REDIRECT_URI}?code=x&state=y`;
    await w.client.checkSession();
    expect(w.tab.frames).toHaveLength(0);
  });

  it('throws failures other than no-session', async () => {
    const w = world();
    w.tab.fetch = async () => Promise.reject(new TypeError('offline'));
    await expect(w.client.checkSession()).rejects.toMatchObject({ code: 'network' });
  });

  it('offers one top-level prompt=none redirect when the iframe finds no session, and tells the outcomes apart', async () => {
    const w = world({ checkSessionRedirect: true });
    w.tab.url = `${APP}/orders?id=7`;
    // Third-party cookies blocked: the iframe never sees the session, the top level does.
    w.tab.frameAnswer = async (request) => new URLSearchParams({ error: 'login_required', state: request.state, iss: ISSUER });
    await w.client.checkSession();
    const url = new URL(w.tab.navigations[0] as string);
    expect(url.searchParams.get('prompt')).toBe('none');
    w.tab.url = w.op.callbackUrl(url.href);
    expect(await w.client.handleRedirectCallback()).toEqual({
      appState: { targetUrl: '/orders?id=7' },
      sessionCheck: 'signed_in',
    });
    expect([...w.events].reverse().find((e) => e.type === 'tokens')).toMatchObject({
      source: 'silent_redirect',
      throughProvider: true,
    });
    expect(w.client.lastSessionCheck).toMatchObject({ status: 'signed_in' });

    const none = world({ checkSessionRedirect: true });
    none.op.session = false;
    none.tab.url = `${APP}/orders`;
    await none.client.checkSession();
    none.tab.url = none.op.callbackUrl(none.tab.navigations[0] as string);
    expect(await none.client.handleRedirectCallback()).toEqual({
      appState: { targetUrl: '/orders' },
      sessionCheck: 'no_session',
    });
    // Back on the page: the guard holds, no loop.
    none.tab.url = `${APP}/orders`;
    await none.client.checkSession();
    expect(none.tab.navigations).toHaveLength(1);
    none.browser.advance(301_000);
    await none.client.checkSession();
    expect(none.tab.navigations).toHaveLength(2);
  });

  it('skips the iframe on the next page load of a tab where only the top-level check found the session', async () => {
    const w = world({ checkSessionRedirect: true });
    const blocked = async (request: { state: string }) =>
      new URLSearchParams({ error: 'login_required', state: request.state, iss: ISSUER });
    w.tab.frameAnswer = blocked;
    w.tab.url = `${APP}/orders`;
    await w.client.checkSession();
    expect(w.tab.frames).toHaveLength(1);
    w.tab.url = w.op.callbackUrl(w.tab.navigations[0] as string);
    await w.client.handleRedirectCallback();

    // A reload: a new client in the same tab, with an empty memory cache.
    const reload = () =>
      new SsoClient({
        issuer: ISSUER,
        clientId: CLIENT_ID,
        authorizationParams: { redirect_uri: REDIRECT_URI },
        checkSessionRedirect: true,
        platform: w.tab.platform,
      });
    w.tab.url = `${APP}/orders`;
    const reloaded = reload();
    await reloaded.checkSession();
    expect(w.tab.frames).toHaveLength(1);
    expect(w.tab.navigations).toHaveLength(2);
    expect(reloaded.lastSessionCheck).toMatchObject({ status: 'redirecting' });
    w.tab.url = w.op.callbackUrl(w.tab.navigations[1] as string);
    expect(await reloaded.handleRedirectCallback()).toEqual({ appState: { targetUrl: '/orders' }, sessionCheck: 'signed_in' });

    // The session ended meanwhile: the top-level check says so once, and the guard still holds.
    w.op.session = false;
    w.tab.url = `${APP}/orders`;
    const afterEnd = reload();
    await afterEnd.checkSession();
    expect(w.tab.frames).toHaveLength(1);
    w.tab.url = w.op.callbackUrl(w.tab.navigations[2] as string);
    expect(await afterEnd.handleRedirectCallback()).toMatchObject({ sessionCheck: 'no_session' });
    w.tab.url = `${APP}/orders`;
    const next = reload();
    await next.checkSession();
    expect(w.tab.frames).toHaveLength(2);
    expect(w.tab.navigations).toHaveLength(3);
    expect(next.lastSessionCheck).toMatchObject({ status: 'signed_out' });

    // Another tab has not learnt it: the iframe first.
    w.op.session = true;
    const other = w.openTab();
    other.tab.frameAnswer = blocked;
    other.tab.url = `${APP}/orders`;
    await other.client.checkSession();
    expect(other.tab.frames).toHaveLength(1);
  });

  it('createSsoClient runs checkSession', async () => {
    const w = world();
    const client = await createSsoClient({
      issuer: ISSUER,
      clientId: CLIENT_ID,
      authorizationParams: { redirect_uri: REDIRECT_URI },
      platform: w.tab.platform,
    });
    expect(await client.isAuthenticated()).toBe(true);
  });
});
