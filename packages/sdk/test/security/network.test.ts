import { describe, expect } from 'vitest';
import { SsoClient } from '../../src/index.js';
import { REDIRECT_URI } from '../support/fake-op.js';
import { securitySuite } from './cases.js';
import { armed, CLIENT_ID, expectCode, expectNothingKept, ISSUER, startLogin } from './helpers.js';

const securityCase = securitySuite(import.meta.url, 'unit');
const hang: typeof fetch = (_input, init) =>
  new Promise((_resolve, reject) => {
    init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
  });

describe('(f) network faults', () => {
  securityCase(
    'F1',
    'a code exchange that never answers: `timeout` at httpTimeoutInSeconds, nothing stored, never retried',
    async () => {
      const w = armed({ httpTimeoutInSeconds: 7 });
      const login = await startLogin(w);
      w.tab.url = w.op.callbackUrl(login.url);
      let calls = 0;
      w.tab.fetch = (input, init) => {
        calls++;
        return hang(input, init);
      };
      const pending = w.client.handleRedirectCallback();
      await w.browser.untilInFlight(1, /\/oauth\/token$/);
      w.browser.advance(6_999);
      expect(w.browser.inFlight.size).toBe(1);
      expect(calls).toBe(1);
      w.browser.advance(1);
      await expectCode(pending, 'timeout', w.wire);
      expect(calls).toBe(1);
      await expectNothingKept(w);
    },
  );

  securityCase(
    ['F1', 'B11'],
    'a token response whose body starts but never ends times out with `timeout`, nothing stored',
    async () => {
      const w = armed({ httpTimeoutInSeconds: 5 });
      const login = await startLogin(w);
      w.tab.url = w.op.callbackUrl(login.url);
      w.op.nextTokenResponse = () =>
        new Response(
          new ReadableStream({
            start(c) {
              c.enqueue(new TextEncoder().encode('{"access_token":'));
            },
          }),
          { status: 200, headers: { 'content-type': 'application/json' } },
        );
      const pending = w.client.handleRedirectCallback();
      // The response has started but its body never ends: wait for the request, not its answer.
      await w.browser.untilRequested(/\/oauth\/token$/);
      w.browser.advance(5_000);
      await expectCode(pending, 'timeout', w.wire);
      expect(w.wire.tokenRequests).toHaveLength(1);
      await expectNothingKept(w);
    },
  );

  securityCase('F1', 'an aborted token request is `timeout`, never retried, nothing stored', async () => {
    const w = armed();
    const login = await startLogin(w);
    w.tab.url = w.op.callbackUrl(login.url);
    let calls = 0;
    w.tab.fetch = async () => {
      calls++;
      throw new DOMException('The user aborted a request.', 'AbortError');
    };
    await expectCode(w.client.handleRedirectCallback(), 'timeout', w.wire);
    expect(calls).toBe(1);
    await expectNothingKept(w);
  });

  securityCase('F2', 'a 5xx or HTML answer to the code exchange is a typed error with the status; nothing stored', async () => {
    for (const [status, body, code] of [
      [502, '<html>Bad gateway</html>', 'server_error'],
      [503, '', 'server_error'],
      [500, '{"error":"server_error","error_description":"db down"}', 'oauth_error'],
      [200, '<!doctype html><html>login</html>', 'invalid_response'],
      [404, '<html>not found</html>', 'invalid_response'],
    ] as const) {
      const w = armed();
      const login = await startLogin(w);
      w.op.nextTokenResponse = () => new Response(body, { status, headers: { 'content-type': 'text/html' } });
      w.tab.url = w.op.callbackUrl(login.url);
      const e = await expectCode(w.client.handleRedirectCallback(), code, w.wire);
      expect(e.status).toBe(status);
      expect(w.wire.tokenRequests).toHaveLength(1);
      await expectNothingKept(w);
    }
  });

  securityCase(
    'F2',
    'a 5xx during refresh never logs out: the refresh token and the session are kept, no event but renewal_failed',
    async () => {
      const w = armed({ cacheLocation: 'localstorage', useRefreshTokens: true });
      await w.login();
      w.browser.advance(200_000);
      w.op.nextTokenResponse = () => new Response('<html>oops</html>', { status: 503 });
      await expectCode(w.client.getTokenSilently(), 'server_error', w.wire);
      expect(await w.client.isAuthenticated()).toBe(true);
      expect(w.events.filter((e) => e.type === 'signed_out')).toEqual([]);
      expect(w.events.at(-1)).toMatchObject({ type: 'renewal_failed', code: 'server_error' });
      // The kept refresh token works once the provider is back.
      expect(await w.client.getTokenSilently()).toMatch(/^at-/);
    },
  );

  securityCase(
    'F2',
    'a CORS failure (fetch TypeError) is `network`; discovery 5xx/HTML is discovery_failed with status and backs off',
    async () => {
      const w = armed();
      const login = await startLogin(w);
      w.tab.url = w.op.callbackUrl(login.url);
      w.tab.fetch = async () => {
        throw new TypeError('Failed to fetch');
      };
      await expectCode(w.client.handleRedirectCallback(), 'network', w.wire);
      await expectNothingKept(w);

      const d = armed();
      let discoveries = 0;
      d.tab.fetch = async () => {
        discoveries++;
        return new Response('<html>maintenance</html>', { status: 503, headers: { 'content-type': 'text/html' } });
      };
      const e = await expectCode(d.client.loginWithRedirect(), 'discovery_failed', d.wire);
      expect(e.status).toBe(503);
      await expectCode(d.client.getTokenSilently(), 'discovery_failed', d.wire);
      expect(discoveries).toBe(1);
      d.browser.advance(1_000);
      await expectCode(d.client.loginWithRedirect(), 'discovery_failed', d.wire);
      expect(discoveries).toBe(2);
      // Doubling: 2 s now.
      d.browser.advance(1_000);
      await expectCode(d.client.loginWithRedirect(), 'discovery_failed', d.wire);
      expect(discoveries).toBe(2);
      d.tab.fetch = async () => new Response('{"issuer":', { status: 200 });
      d.browser.advance(1_000);
      await expectCode(d.client.loginWithRedirect(), 'discovery_failed', d.wire);
      expect(d.tab.navigations).toEqual([]);
      expect(d.tab.frames).toEqual([]);
    },
  );

  securityCase(
    'F3',
    'offline: a cached valid token is served; otherwise `network`, not login_required; the session is kept',
    async () => {
      const w = armed({ useRefreshTokens: true });
      await w.login();
      const cached = await w.client.getTokenSilently();
      w.tab.fetch = async () => {
        throw new TypeError('Failed to fetch');
      };
      expect(await w.client.getTokenSilently()).toBe(cached);
      w.browser.advance(200_000);
      await expectCode(w.client.getTokenSilently(), 'network', w.wire);
      await expectCode(w.client.getTokenSilently({ renewVia: 'provider' }), 'network', w.wire);
      await expectCode(w.client.checkSession(), 'network', w.wire);
      expect(await w.client.isAuthenticated()).toBe(true);
      expect(w.events.filter((e) => e.type === 'signed_out')).toEqual([]);
      w.tab.fetch = w.op.fetch;
      expect(await w.client.getTokenSilently()).not.toBe(cached);
    },
  );

  securityCase(
    'F3',
    'offline: a renewal through the provider fails at once with `network`, no iframe, the session kept',
    async () => {
      const options = { cacheLocation: 'localstorage' as const };
      const w = armed(options);
      await w.login();
      const offline = new SsoClient({
        issuer: ISSUER,
        clientId: CLIENT_ID,
        authorizationParams: { redirect_uri: REDIRECT_URI },
        ...options,
        platform: { ...w.tab.platform, online: () => false },
      });
      w.browser.advance(200_000);
      await expectCode(offline.getTokenSilently(), 'network', w.wire);
      expect(w.tab.frames).toEqual([]);
      expect(await offline.isAuthenticated()).toBe(true);
      expect(w.browser.pendingTimers).toBe(0);
    },
  );
});
