import { describe, expect, it } from 'vitest';
import { ISSUER, jwt } from '../support/fake-op.js';
import { world } from '../support/setup.js';

const hang: typeof fetch = (_input, init) =>
  new Promise((_resolve, reject) => {
    init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
  });

describe('network faults and bad token responses', () => {
  it('times out a hung code exchange with `timeout`, stores nothing and never retries it (F1)', async () => {
    const w = world({ httpTimeoutInSeconds: 5 });
    await w.client.loginWithRedirect();
    w.tab.url = w.op.callbackUrl(w.tab.navigations[0] as string);
    let calls = 0;
    w.tab.fetch = (input, init) => {
      calls++;
      return hang(input, init);
    };
    const pending = w.client.handleRedirectCallback();
    await w.browser.untilInFlight(1, /\/oauth\/token$/);
    w.browser.advance(5_000);
    await expect(pending).rejects.toMatchObject({ code: 'timeout' });
    expect(calls).toBe(1);
    expect(w.browser.pendingTimers).toBe(0);
    expect(await w.client.isAuthenticated()).toBe(false);
  });

  it('times out a token response whose body never ends (F1)', async () => {
    const w = world({ httpTimeoutInSeconds: 5 });
    await w.client.loginWithRedirect();
    w.tab.url = w.op.callbackUrl(w.tab.navigations[0] as string);
    w.op.nextTokenResponse = () =>
      new Response(
        new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode('{"access_token":'));
          },
        }),
        { status: 200, headers: { 'content-type': 'application/json' } },
      );
    const pending = w.client.handleRedirectCallback();
    // The response has started but its body never ends: wait for the request, not its answer.
    await w.browser.untilRequested(/\/oauth\/token$/);
    w.browser.advance(5_000);
    await expect(pending).rejects.toMatchObject({ code: 'timeout' });
    expect(await w.client.isAuthenticated()).toBe(false);
  });

  it('reports a request aborted by the browser as timeout (F1)', async () => {
    const w = world();
    await w.client.loginWithRedirect();
    w.tab.url = w.op.callbackUrl(w.tab.navigations[0] as string);
    w.tab.fetch = async () => {
      throw new DOMException('The user aborted a request.', 'AbortError');
    };
    await expect(w.client.handleRedirectCallback()).rejects.toMatchObject({ code: 'timeout' });
  });

  it('without an end_session_endpoint, logout goes to returnTo only within the app origin (G1)', async () => {
    for (const [returnTo, expected] of [
      ['https://evil.example/', undefined],
      ['//evil.example', undefined],
      ['javascript:alert(1)', undefined],
      ['/\\evil.example', undefined],
      ['/bye', 'https://app.example/bye'],
    ] as const) {
      const w = world();
      delete w.op.metadata.end_session_endpoint;
      await w.login();
      await w.client.logout({ logoutParams: { returnTo } });
      expect(await w.client.isAuthenticated()).toBe(false);
      expect(w.tab.navigations.slice(1)).toEqual(expected ? [expected] : []);
    }
  });

  it.each([
    ['no access_token', { token_type: 'Bearer', expires_in: 60 }],
    ['an empty access_token', { access_token: '', token_type: 'Bearer' }],
    ['a bad expires_in', { access_token: 'x', token_type: 'Bearer', expires_in: 'soon' }],
    ['a negative expires_in', { access_token: 'x', token_type: 'Bearer', expires_in: -5 }],
    ['no id_token for openid', { access_token: 'x', token_type: 'Bearer', expires_in: 60 }],
    ['another token_type', { access_token: 'x', token_type: 'mac', expires_in: 60 }],
    ['a non-string refresh_token', { access_token: 'x', token_type: 'Bearer', expires_in: 60, refresh_token: 7 }],
  ])('rejects a token response with %s and stores nothing (B11)', async (_name, body) => {
    const w = world();
    await w.client.loginWithRedirect();
    const callback = w.op.callbackUrl(w.tab.navigations[0] as string);
    const nonce = new URL(w.tab.navigations[0] as string).searchParams.get('nonce');
    const now = Math.floor(w.browser.time / 1000);
    const idToken = jwt({ iss: ISSUER, aud: 'site-a', sub: 'alice', iat: now, exp: now + 60, nonce });
    w.op.nextTokenResponse = () => Response.json(_name.includes('id_token') ? body : { id_token: idToken, ...body });
    w.tab.url = callback;
    await expect(w.client.handleRedirectCallback()).rejects.toMatchObject({ code: 'invalid_response' });
    expect(await w.client.isAuthenticated()).toBe(false);
  });

  it('rejects a response whose body is not JSON', async () => {
    const w = world();
    await w.client.loginWithRedirect();
    w.op.nextTokenResponse = () => new Response('<html>ok</html>', { status: 200 });
    w.tab.url = w.op.callbackUrl(w.tab.navigations[0] as string);
    await expect(w.client.handleRedirectCallback()).rejects.toMatchObject({ code: 'invalid_response', status: 200 });
  });

  it('fails discovery closed with a typed error and backs off before fetching again (F2)', async () => {
    const w = world();
    let discoveries = 0;
    w.tab.fetch = async () => {
      discoveries++;
      return new Response('<html>down</html>', { status: 503 });
    };
    await expect(w.client.loginWithRedirect()).rejects.toMatchObject({ code: 'discovery_failed', status: 503 });
    await expect(w.client.loginWithRedirect()).rejects.toMatchObject({ code: 'discovery_failed', status: 503 });
    expect(discoveries).toBe(1);
    w.browser.advance(1_000);
    w.tab.fetch = w.op.fetch;
    await w.client.loginWithRedirect();
    expect(w.tab.navigations).toHaveLength(1);
  });

  it('rejects a discovery document for another issuer (A4)', async () => {
    const w = world();
    w.op.metadata.issuer = 'https://op.example';
    await expect(w.client.loginWithRedirect()).rejects.toMatchObject({ code: 'issuer_mismatch' });
    expect(w.tab.navigations).toHaveLength(0);
  });

  it('N tabs × M calls with an expired access token make exactly one refresh request (D3)', async () => {
    const w = world({ cacheLocation: 'localstorage', useRefreshTokens: true });
    await w.login();
    const tabs = [w.client, w.openTab().client, w.openTab().client, w.openTab().client];
    w.browser.advance(200_000);
    const tokens = await Promise.all(tabs.flatMap((client) => [1, 2, 3].map(() => client.getTokenSilently())));
    expect(new Set(tokens).size).toBe(1);
    expect(w.op.calls.refresh).toBe(1);
  });

  it('logs in through a popup', async () => {
    const w = world();
    await w.client.loginWithPopup();
    expect(await w.client.getUser()).toMatchObject({ sub: 'alice' });
    expect(w.events.at(-1)).toMatchObject({ type: 'tokens', source: 'popup', throughProvider: true });
    w.tab.popupBlocked = true;
    await expect(w.client.loginWithPopup()).rejects.toMatchObject({ code: 'popup_blocked' });
  });

  it('never puts tokens in events', async () => {
    const w = world({ useRefreshTokens: true });
    await w.login();
    w.browser.advance(200_000);
    await w.client.getTokenSilently();
    const text = JSON.stringify(w.events);
    expect(text).not.toMatch(/at-|rt-|"ey/);
  });
});
