import { type DevIdpFaults, rewriteResponseBody } from 'sso-spa-dev-idp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API, appReady, openApp, type Stack, signIn, startStack, untilExpired } from './browser/harness.js';

interface TestClient {
  checkSession(options?: Record<string, unknown>): Promise<void>;
  loginWithRedirect(options?: Record<string, unknown>): Promise<void>;
  handleRedirectCallback(): Promise<{ appState?: { targetUrl?: string }; sessionCheck?: string }>;
  getTokenSilently(options?: Record<string, unknown>): Promise<unknown>;
  getUser(): Promise<{ sub: string; email?: string } | undefined>;
  isAuthenticated(): Promise<boolean>;
  logout(options?: Record<string, unknown>): Promise<void>;
}

// What the test app page puts on window for page.evaluate callbacks.
declare global {
  interface Window {
    makeClient(extra?: Record<string, unknown>): TestClient;
    client: TestClient;
    events: { type: string; source?: string; reason?: string; code?: string }[];
  }
}

describe('SDK in Chromium against the dev IdP, third-party cookies allowed', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack(true, { idTokenSeconds: 4, accessTokenSeconds: 4 });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('logs in with a deep link, serves from the cache, renews through the iframe, logs out', async () => {
    const page = await openApp(stack, '/orders?id=7');
    const before = await page.evaluate(async () => {
      const client = window.makeClient({ cacheLocation: 'localstorage' });
      await client.checkSession();
      return client.isAuthenticated();
    });
    expect(before).toBe(false);
    await page.evaluate(() => window.client.loginWithRedirect({ appState: { targetUrl: location.pathname + location.search } }));
    await signIn(page);
    await page.waitForURL(/\/callback\?/);
    await appReady(page);
    const result = await page.evaluate(async () => {
      const client = window.makeClient({ cacheLocation: 'localstorage' });
      const callback = await client.handleRedirectCallback();
      return { callback, url: location.href, user: await client.getUser() };
    });
    expect(result.callback.appState).toEqual({ targetUrl: '/orders?id=7' });
    expect(result.url).toBe(`${stack.app.origin}/callback`);
    expect(result.user).toMatchObject({ sub: 'alice', email: 'alice@example.com' });

    // Deep link, then a reload: the localStorage cache survives it and answers without the IdP.
    await page.goto(`${stack.app.origin}${result.callback.appState?.targetUrl}`);
    await appReady(page);
    const cached = await page.evaluate(async () => {
      const client = window.makeClient({ cacheLocation: 'localstorage' });
      const a = await client.getTokenSilently();
      const b = await client.getTokenSilently();
      return { a, b, frames: document.querySelectorAll('iframe').length, events: window.events.length };
    });
    expect(cached.a).toBe(cached.b);
    expect(cached.events).toBe(0);
    const claims = JSON.parse(Buffer.from(String(cached.a).split('.')[1] as string, 'base64url').toString());
    expect(claims.aud).toBe(API);

    // Expiry: after the 4 s lifetime the cache misses and the hidden iframe (web_message) renews.
    await untilExpired(page);
    const renewed = await page.evaluate(async () => {
      const token = await window.client.getTokenSilently();
      return { token, frames: document.querySelectorAll('iframe').length, events: window.events.map((e) => e.source ?? e.type) };
    });
    expect(renewed.token).not.toBe(cached.a);
    expect(renewed.frames).toBe(0);
    expect(renewed.events).toEqual(['iframe']);

    // Logout: local cache cleared, then the IdP's end-session endpoint, back to returnTo.
    await page.evaluate(() => window.client.logout({ logoutParams: { returnTo: `${location.origin}/` } }));
    await page.waitForURL(`${stack.app.origin}/`);
    await appReady(page);
    const after = await page.evaluate(async () => {
      const client = window.makeClient({ cacheLocation: 'localstorage' });
      const keys = Object.keys(localStorage).filter((k) => k.startsWith('sso-spa::'));
      const error = await client.getTokenSilently().then(
        () => undefined,
        (e: { code: string; error: string }) => ({ code: e.code, error: e.error }),
      );
      return { keys, error, authenticated: await client.isAuthenticated(), frames: document.querySelectorAll('iframe').length };
    });
    expect(after).toEqual({
      keys: [],
      error: { code: 'login_required', error: 'login_required' },
      authenticated: false,
      frames: 0,
    });
    expect(await stack.idp.listSessions()).toEqual([]);
    await page.close();
  });

  it('reports a wrong audience from the provider as a typed error', async () => {
    const page = await openApp(stack, '/');
    const error = await page.evaluate(() =>
      window.makeClient().loginWithRedirect({ authorizationParams: { audience: 'https://unknown.example' } }),
    );
    expect(error).toBeUndefined();
    await page.waitForURL(/\/callback\?/);
    await appReady(page);
    const failure = await page.evaluate(() =>
      window
        .makeClient()
        .handleRedirectCallback()
        .then(
          () => undefined,
          (e: { code: string; error: string }) => ({ code: e.code, error: e.error, url: location.href }),
        ),
    );
    expect(failure).toEqual({ code: 'oauth_error', error: 'invalid_target', url: `${stack.app.origin}/callback` });
    await page.close();
  });
});

describe('SDK in Chromium against the dev IdP, third-party cookies blocked', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack(false, { idTokenSeconds: 4, accessTokenSeconds: 4 });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('renews with the refresh token while the iframe answers login_required', async () => {
    const page = await openApp(stack, '/');
    await page.evaluate(() => window.makeClient({ useRefreshTokens: true, cacheLocation: 'localstorage' }).loginWithRedirect());
    await signIn(page);
    await page.waitForURL(/\/callback\?/);
    await appReady(page);
    const first = await page.evaluate(async () => {
      const client = window.makeClient({ useRefreshTokens: true, cacheLocation: 'localstorage' });
      await client.handleRedirectCallback();
      return client.getTokenSilently();
    });
    await untilExpired(page);
    const outcome = await page.evaluate(async () => {
      const token = await window.client.getTokenSilently();
      const viaIframe = await window.client.getTokenSilently({ cacheMode: 'off', renewVia: 'provider' }).then(
        () => undefined,
        (e: { code: string }) => e.code,
      );
      return {
        token,
        viaIframe,
        events: window.events.map((e) => e.source ?? e.code ?? e.type),
        frames: document.querySelectorAll('iframe').length,
      };
    });
    expect(outcome.token).not.toBe(first);
    expect(outcome.events).toEqual(['redirect', 'refresh_token', 'login_required']);
    expect(outcome.viaIframe).toBe('login_required');
    expect(outcome.frames).toBe(0);
    await page.close();
  });

  it('checkSession finds the SSO session with one top-level prompt=none redirect, and tells no-session apart', async () => {
    // A second site-a tab with no local session (memory cache) while the SSO session exists.
    const page = await openApp(stack, '/');
    await page.evaluate(() => window.makeClient().loginWithRedirect());
    await signIn(page);
    await page.waitForURL(/\/callback\?/);
    await appReady(page);
    await page.evaluate(() => window.makeClient().handleRedirectCallback());

    await page.goto(`${stack.app.origin}/reports?q=1`);
    await appReady(page);
    await page.evaluate(() => window.makeClient({ checkSessionRedirect: true }).checkSession());
    await page.waitForURL(/\/callback\?/);
    await appReady(page);
    expect(page.url()).not.toContain('interaction');
    const found = await page.evaluate(async () => {
      const client = window.makeClient({ checkSessionRedirect: true });
      const result = await client.handleRedirectCallback();
      return { result, user: await client.getUser() };
    });
    expect(found.result).toEqual({ appState: { targetUrl: '/reports?q=1' }, sessionCheck: 'signed_in' });
    expect(found.user?.sub).toBe('alice');

    // End the SSO session at the IdP: the next check comes back with no_session, and no loop.
    for (const session of await stack.idp.listSessions()) await stack.idp.endSession(session.id);
    const fresh = await stack.browser.context.newPage();
    await openApp(stack, '/reports', fresh);
    await fresh.evaluate(() => window.makeClient({ checkSessionRedirect: true }).checkSession());
    await fresh.waitForURL(/\/callback\?/);
    await appReady(fresh);
    const none = await fresh.evaluate(() => window.makeClient({ checkSessionRedirect: true }).handleRedirectCallback());
    expect(none).toEqual({ appState: { targetUrl: '/reports' }, sessionCheck: 'no_session' });
    await fresh.goto(`${stack.app.origin}/reports`);
    await appReady(fresh);
    const again = await fresh.evaluate(async () => {
      const client = window.makeClient({ checkSessionRedirect: true });
      await client.checkSession();
      return { url: location.href, authenticated: await client.isAuthenticated() };
    });
    expect(again).toEqual({ url: `${stack.app.origin}/reports`, authenticated: false });
    await fresh.close();
    await page.close();
  });
});

describe('SDK in Chromium: two tabs of the same site', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack(false, { idTokenSeconds: 4, accessTokenSeconds: 4 });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('renew once across tabs (Web Locks) and both learn about the logout (BroadcastChannel)', async () => {
    const options = { useRefreshTokens: true, cacheLocation: 'localstorage' };
    const first = await openApp(stack, '/');
    await first.evaluate((o) => window.makeClient(o).loginWithRedirect(), options);
    await signIn(first);
    await first.waitForURL(/\/callback\?/);
    await appReady(first);
    await first.evaluate((o) => window.makeClient(o).handleRedirectCallback(), options);
    const second = await openApp(stack, '/');
    await second.evaluate((o) => {
      window.makeClient(o);
    }, options);

    const refreshes: string[] = [];
    for (const tab of [first, second]) {
      tab.on('request', (request) => {
        if (request.url().endsWith('/oauth/token') && request.method() === 'POST') refreshes.push(request.url());
      });
    }
    await untilExpired(first);
    await untilExpired(second);
    const tokens = await Promise.all(
      [first, second].map((tab) =>
        tab.evaluate(() => Promise.all([window.client.getTokenSilently(), window.client.getTokenSilently()])),
      ),
    );
    expect(new Set(tokens.flat()).size).toBe(1);
    expect(refreshes).toHaveLength(1);

    await first.evaluate(() => window.client.logout({ openUrl: false }));
    await second.waitForFunction(() => window.events.some((e) => e.type === 'signed_out'));
    const seen = await second.evaluate(async () => ({
      event: window.events.find((e) => e.type === 'signed_out'),
      authenticated: await window.client.isAuthenticated(),
    }));
    expect(seen).toEqual({ event: { type: 'signed_out', reason: 'logout', fromOtherTab: true }, authenticated: false });
    await first.close();
    await second.close();
  });
});

describe('SDK in Chromium against a dev IdP without web_message and with injected faults', () => {
  let stack: Stack;
  let tokenFault: 'none' | 'html_502' | 'extra_audience' = 'none';
  const faults: DevIdpFaults =
    (handler, { signJwt }) =>
    (req, res) => {
      if (req.url?.startsWith('/.well-known/openid-configuration')) {
        rewriteResponseBody(res, (body) => {
          const doc = JSON.parse(body) as { response_modes_supported: string[] };
          doc.response_modes_supported = doc.response_modes_supported.filter((mode) => mode !== 'web_message');
          return JSON.stringify(doc);
        });
      } else if (req.url?.startsWith('/oauth/token') && tokenFault === 'html_502') {
        res.writeHead(502, { 'content-type': 'text/html', 'access-control-allow-origin': String(req.headers.origin) });
        res.end('<html>bad gateway</html>');
        return;
      } else if (req.url?.startsWith('/oauth/token') && tokenFault === 'extra_audience') {
        rewriteResponseBody(res, (body) => {
          const json = JSON.parse(body) as { id_token: string };
          const claims = JSON.parse(Buffer.from(json.id_token.split('.')[1] as string, 'base64url').toString());
          return JSON.stringify({ ...json, id_token: signJwt({ ...claims, aud: [claims.aud, 'someone-else'] }) });
        });
      }
      return handler(req, res);
    };

  beforeAll(async () => {
    stack = await startStack(true, { faults });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('renews through the app-hosted silent-callback page, and reports token endpoint faults as typed errors', async () => {
    const page = await openApp(stack, '/');
    const options = { silentCallbackUri: `${stack.app.origin}/silent.html`, cacheLocation: 'localstorage' };
    await page.evaluate((o) => window.makeClient(o).loginWithRedirect(), options);
    await signIn(page);
    await page.waitForURL(/\/callback\?/);
    await appReady(page);
    const first = await page.evaluate(async (o) => {
      const client = window.makeClient(o);
      await client.handleRedirectCallback();
      return client.getTokenSilently();
    }, options);

    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    const renewed = await page.evaluate(async () => {
      const token = await window.client.getTokenSilently({ cacheMode: 'off' });
      return { token, frames: document.querySelectorAll('iframe').length, last: window.events.at(-1) };
    });
    expect(renewed.token).not.toBe(first);
    expect(renewed.frames).toBe(0);
    expect(renewed.last).toMatchObject({ type: 'tokens', source: 'iframe' });
    expect(requests.some((url) => url.startsWith(`${stack.app.origin}/silent.html?code=`))).toBe(true);
    expect(requests.some((url) => url.includes('response_mode=web_message'))).toBe(false);

    tokenFault = 'html_502';
    const gateway = await page.evaluate(() =>
      window.client.getTokenSilently({ cacheMode: 'off' }).then(
        () => undefined,
        (e: { code: string; status: number }) => ({ code: e.code, status: e.status }),
      ),
    );
    expect(gateway).toEqual({ code: 'server_error', status: 502 });

    tokenFault = 'extra_audience';
    const forged = await page.evaluate(async () => {
      const code = await window.client.getTokenSilently({ cacheMode: 'off' }).then(
        () => undefined,
        (e: { code: string }) => e.code,
      );
      // Nothing was stored: the cache still answers with the last good token.
      return { code, cached: await window.client.getTokenSilently({ cacheMode: 'cache-only' }) };
    });
    expect(forged).toEqual({ code: 'invalid_id_token', cached: renewed.token });
    tokenFault = 'none';

    // The same callback URL handled twice fails cleanly (no second token request).
    await page.evaluate(() => window.client.loginWithRedirect());
    await page.waitForURL(/\/callback\?/);
    const callbackUrl = page.url();
    await appReady(page);
    await page.evaluate((o) => window.makeClient(o).handleRedirectCallback(), options);
    await page.goto(callbackUrl);
    await appReady(page);
    const replay = await page.evaluate(
      (o) =>
        window
          .makeClient(o)
          .handleRedirectCallback()
          .then(
            () => 'accepted',
            (e: { code: string }) => e.code,
          ),
      options,
    );
    expect(replay).toBe('state_mismatch');
    await page.close();
  });
});
