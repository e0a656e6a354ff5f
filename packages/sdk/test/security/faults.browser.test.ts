import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect } from 'vitest';
import { appReady, signIn, untilExpired } from '../browser/harness.js';
import {
  type AppWindow,
  CLEAN,
  decodeJwt,
  leftovers,
  openApp,
  rewriteBody,
  type SecurityStack,
  startSecurityStack,
  tokenLines,
  traces,
} from './browser.js';
import { figure, securitySuite } from './cases.js';

const securityCase = securitySuite(import.meta.url, 'chromium');
const LIFETIME = 3;
const RT = { useRefreshTokens: true, cacheLocation: 'localstorage' };

describe('(b, d, f) provider and network faults in Chromium against the dev IdP, third-party cookies blocked', () => {
  let stack: SecurityStack;
  const pages: Page[] = [];
  beforeAll(async () => {
    stack = await startSecurityStack(false, { idTokenSeconds: LIFETIME, accessTokenSeconds: LIFETIME });
  });
  afterEach(async () => {
    expect(tokenLines(stack.console)).toEqual([]);
    stack.faults.clear();
    await stack.browser.context.setOffline(false);
    for (const p of pages.splice(0)) await p.close();
  });
  afterAll(async () => {
    await stack?.close();
  });

  /** A page signed in with refresh tokens (localStorage cache). */
  async function signedIn(options: Record<string, unknown> = RT): Promise<Page> {
    const p = await openApp(stack, '/');
    pages.push(p);
    await p.evaluate((o) => (window as unknown as AppWindow).makeClient(o).loginWithRedirect(), options);
    await signIn(p);
    await p.waitForURL(/\/callback\?/);
    await appReady(p);
    await p.evaluate((o) => (window as unknown as AppWindow).makeClient(o).handleRedirectCallback(), options);
    return p;
  }

  const tryToken = (p: Page, options: Record<string, unknown> = {}) =>
    p.evaluate((options) => {
      const w = window as unknown as AppWindow;
      return w.__settle(w.client.getTokenSilently(options));
    }, options);

  const expired = (p: Page) => untilExpired(p);

  securityCase(
    'D2',
    'a stolen refresh token used first: reuse detected at the IdP, typed invalid_grant, token dropped, no loop',
    async () => {
      for (const fallback of [false, true]) {
        const p = await signedIn({ ...RT, useRefreshTokensFallback: fallback });
        // The attacker redeems the refresh token first (copied out of storage).
        const stolen = await p.evaluate(() => {
          for (const key of Object.keys(localStorage)) {
            const entry = JSON.parse(localStorage.getItem(key) ?? '{}');
            if (entry.refresh_token) return entry.refresh_token as string;
          }
          return '';
        });
        const theft = await fetch(new URL('oauth/token', stack.idp.issuer.replace('idp.localhost', '127.0.0.1')), {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', host: new URL(stack.idp.issuer).host },
          body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: stolen, client_id: 'site-a' }),
        });
        expect(theft.status).toBe(200);
        await expired(p);
        const from = stack.faults.log.length;
        const first = await tryToken(p);
        // Without the fallback: invalid_grant. With it: one iframe, which finds no session (third-party cookies blocked).
        expect(first.error).toMatchObject({ code: fallback ? 'login_required' : 'invalid_grant', tokenish: false });
        const second = await tryToken(p);
        expect(second.error).toMatchObject({ code: fallback ? 'login_required' : 'missing_refresh_token' });
        const requests = stack.faults.log.slice(from);
        expect(requests.filter((r) => r.path === '/oauth/token').map((r) => r.status)).toEqual([400]);
        expect(requests.filter((r) => r.path === '/authorize')).toHaveLength(fallback ? 2 : 0);
        expect((await traces(p)).local.filter((k) => !k.endsWith('@@user@@'))).toEqual([]);
        expect(await leftovers(p)).toEqual(CLEAN);
      }
    },
  );

  securityCase(
    'D4',
    'the refresh response is lost after the IdP rotated: typed network error, the SDK resends nothing, the session kept',
    async () => {
      const p = await signedIn();
      await expired(p);
      stack.faults.fault = (req, res) => {
        if (req.method !== 'POST' || !req.url?.startsWith('/oauth/token')) return false;
        // The IdP rotates the token, then the connection drops before any byte of the answer.
        rewriteBody(res, () => {
          res.socket?.destroy();
          return '';
        });
        return false;
      };
      const from = stack.faults.log.length;
      const lost = await tryToken(p);
      expect(lost.error).toMatchObject({ code: 'network', tokenish: false });
      const sent = stack.faults.tokenRequests(from).length;
      figure(
        'D4 refresh answer dropped before any byte (connection reset)',
        `${sent} token request(s) reached the IdP for one getTokenSilently call; the SDK sends once, Chromium itself resends a POST whose reused keep-alive connection closed without an answer`,
      );
      expect(sent).toBeGreaterThanOrEqual(1);
      expect(sent).toBeLessThanOrEqual(2);
      const state = await p.evaluate(async () => {
        const w = window as unknown as AppWindow;
        return { authenticated: await w.client.isAuthenticated(), events: w.events.map((e) => e.type) };
      });
      expect(state).toEqual({ authenticated: true, events: ['tokens', 'renewal_failed'] });
      expect(await leftovers(p)).toEqual(CLEAN);
    },
  );

  securityCase(
    'D4',
    'the refresh answer cut off mid-body after the IdP rotated is `network`, once, the session kept',
    async () => {
      const p = await signedIn();
      await expired(p);
      stack.faults.fault = (req, res) => {
        if (req.method !== 'POST' || !req.url?.startsWith('/oauth/token')) return false;
        res.end = (() => {
          res.setHeader('content-length', '5000');
          res.write('{"access_token":"');
          setTimeout(() => res.socket?.destroy(), 50);
          return res;
        }) as typeof res.end;
        return false;
      };
      const from = stack.faults.log.length;
      const lost = await tryToken(p);
      expect(lost.error).toMatchObject({ code: 'network', tokenish: false });
      expect(stack.faults.tokenRequests(from)).toHaveLength(1);
      expect(await p.evaluate(() => (window as unknown as AppWindow).client.isAuthenticated())).toBe(true);
      expect(await leftovers(p)).toEqual(CLEAN);
    },
  );

  securityCase(
    'F2',
    'discovery answering 503 HTML: discovery_failed with the status, backoff, no iframe, fail closed',
    async () => {
      const p = await openApp(stack, '/');
      pages.push(p);
      stack.faults.fault = (req, res) => {
        if (!req.url?.startsWith('/.well-known/openid-configuration')) return false;
        res.writeHead(503, { 'content-type': 'text/html', 'access-control-allow-origin': '*' });
        res.end('<html>maintenance</html>');
        return true;
      };
      const from = stack.faults.log.length;
      const out = await p.evaluate(async () => {
        const w = window as unknown as AppWindow;
        const client = w.makeClient();
        const a = await w.__settle(client.getTokenSilently());
        const b = await w.__settle(client.loginWithRedirect());
        return { a: a.error, b: b.error?.code, href: location.href };
      });
      expect(out.a).toMatchObject({ code: 'discovery_failed', tokenish: false });
      expect(out.b).toBe('discovery_failed');
      expect(out.href).toBe(`${stack.app.origin}/`);
      expect(stack.faults.log.slice(from).filter((r) => r.path.startsWith('/.well-known'))).toHaveLength(1);
      expect(await leftovers(p)).toEqual(CLEAN);
    },
  );

  securityCase(['F2', 'F1'], 'a code exchange blocked by CORS is `network`, never retried, nothing stored', async () => {
    const p = await openApp(stack, '/');
    pages.push(p);
    await p.evaluate(() => localStorage.clear());
    await p.evaluate(() => (window as unknown as AppWindow).makeClient().loginWithRedirect());
    await signIn(p);
    await p.waitForURL(/\/callback\?/);
    await appReady(p);
    stack.faults.fault = (req, res) => {
      if (!req.url?.startsWith('/oauth/token')) return false;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"error":"no cors for you"}');
      return true;
    };
    const from = stack.faults.log.length;
    const out = await p.evaluate(async () => {
      const w = window as unknown as AppWindow;
      const client = w.makeClient();
      const r = await w.__settle(client.handleRedirectCallback());
      return { r: r.error, authenticated: await client.isAuthenticated(), href: location.href };
    });
    expect(out.r).toMatchObject({ code: 'network', tokenish: false });
    expect(out.authenticated).toBe(false);
    expect(out.href).toBe(`${stack.app.origin}/callback`);
    expect(stack.faults.log.slice(from).filter((r) => r.path === '/oauth/token' && r.method === 'POST')).toHaveLength(1);
    const t = await traces(p);
    expect([...t.local, ...t.session]).toEqual([]);
  });

  securityCase(
    'F2',
    'a 502 HTML answer to the refresh is server_error with the status; the session and refresh token are kept',
    async () => {
      const p = await signedIn();
      await expired(p);
      stack.faults.fault = (req, res) => {
        if (!req.url?.startsWith('/oauth/token') || req.method !== 'POST') return false;
        res.writeHead(502, { 'content-type': 'text/html', 'access-control-allow-origin': stack.app.origin });
        res.end('<html>bad gateway</html>');
        return true;
      };
      const failed = await tryToken(p);
      expect(failed.error).toMatchObject({ code: 'server_error', tokenish: false });
      stack.faults.clear();
      const after = await tryToken(p);
      expect(decodeJwt(after.ok as string).sub).toBe('alice');
      expect(await p.evaluate(() => (window as unknown as AppWindow).events.filter((e) => e.type === 'signed_out').length)).toBe(
        0,
      );
    },
  );

  securityCase('F3', 'offline: the cached token is served; the refresh fails with `network`; the session is kept', async () => {
    const p = await signedIn();
    const cached = (await tryToken(p)).ok;
    await stack.browser.context.setOffline(true);
    expect((await tryToken(p)).ok).toBe(cached);
    await expired(p);
    const offline = await tryToken(p);
    expect(offline.error).toMatchObject({ code: 'network', tokenish: false });
    expect(await p.evaluate(() => (window as unknown as AppWindow).client.isAuthenticated())).toBe(true);
    await stack.browser.context.setOffline(false);
    expect((await tryToken(p)).ok).not.toBe(cached);
    // The lock named after the rotated refresh token is held for a second after it.
    await expect.poll(() => leftovers(p)).toEqual(CLEAN);
  });

  securityCase(
    ['B7', 'B10'],
    'an unsigned (alg none) ID token and an old auth_time under max_age, from the real IdP, are rejected',
    async () => {
      const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
      const cases: [
        string,
        (claims: Record<string, unknown>, sign: (c: Record<string, unknown>) => string) => string,
        Record<string, unknown>,
      ][] = [
        ['alg none', (claims) => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`, {}],
        ['auth_time too old', (claims, sign) => sign({ ...claims, auth_time: Number(claims.auth_time) - 3600 }), { max_age: 60 }],
        ['auth_time missing', (claims, sign) => sign({ ...claims, auth_time: undefined }), { max_age: 60 }],
      ];
      for (const [name, forge, params] of cases) {
        stack.faults.fault = (req, res, idp) => {
          if (req.method !== 'POST' || !req.url?.startsWith('/oauth/token')) return false;
          rewriteBody(res, (body) => {
            const json = JSON.parse(body) as { id_token?: string };
            if (!json.id_token) return body;
            return JSON.stringify({ ...json, id_token: forge(decodeJwt(json.id_token), (c) => idp.signJwt(c)) });
          });
          return false;
        };
        const p = await openApp(stack, '/');
        pages.push(p);
        await p.evaluate(
          (params) => (window as unknown as AppWindow).makeClient().loginWithRedirect({ authorizationParams: params }),
          params,
        );
        await signIn(p);
        await p.waitForURL(/\/callback\?/);
        await appReady(p);
        const out = await p.evaluate(async () => {
          const w = window as unknown as AppWindow;
          const client = w.makeClient();
          return { r: (await w.__settle(client.handleRedirectCallback())).error, authenticated: await client.isAuthenticated() };
        });
        expect(out.r, name).toMatchObject({ code: 'invalid_id_token', tokenish: false });
        expect(out.authenticated).toBe(false);
      }
    },
  );

  securityCase(
    'C6',
    'consent_required, interaction_required, login_required from the iframe: typed, never an interactive redirect',
    async () => {
      const p = await openApp(stack, '/');
      pages.push(p);
      const appOrigin = stack.app.origin;
      for (const error of ['consent_required', 'interaction_required', 'login_required']) {
        stack.faults.fault = (req, res, idp) => {
          const url = new URL(req.url ?? '/', idp.issuer);
          if (url.pathname !== '/authorize' || url.searchParams.get('prompt') !== 'none') return false;
          const response = { error, error_description: 'needs the user', state: url.searchParams.get('state'), iss: idp.issuer };
          res.writeHead(200, { 'content-type': 'text/html' });
          res.end(
            `<script>parent.postMessage(${JSON.stringify({ type: 'authorization_response', response })}, ${JSON.stringify(appOrigin)});</script>`,
          );
          return true;
        };
        const from = stack.faults.log.length;
        const out = await p.evaluate(async () => {
          const w = window as unknown as AppWindow;
          // The iframe's answers only: no top-level check for a returning user of earlier cases.
          const client = w.makeClient({ checkSessionRedirect: false });
          const silent = await w.__settle(client.getTokenSilently());
          const check = await w.__settle(client.checkSession());
          return { silent: silent.error, check: check.error, href: location.href };
        });
        expect(out.silent, error).toMatchObject({ code: error, error, tokenish: false });
        expect(out.check, error).toBeUndefined();
        expect(out.href).toBe(`${appOrigin}/`);
        const authorize = stack.faults.log.slice(from).filter((r) => r.path === '/authorize');
        expect(authorize.map((r) => r.query.get('prompt'))).toEqual(['none', 'none']);
        expect(stack.faults.tokenRequests(from)).toEqual([]);
        expect(await leftovers(p)).toEqual(CLEAN);
      }
    },
  );

  securityCase(
    'D5',
    'a refresh answer whose ID token (signed by the IdP key) names another user is rejected and ends the session everywhere',
    async () => {
      for (const claims of [{ sub: 'mallory' }, { iss: 'http://evil.localhost/' }]) {
        const p = await signedIn();
        const other = await openApp(stack, '/');
        pages.push(other);
        await other.evaluate((o) => void (window as unknown as AppWindow).makeClient(o), RT);
        await expired(p);
        stack.faults.fault = (req, res, idp) => {
          if (req.method !== 'POST' || !req.url?.startsWith('/oauth/token')) return false;
          rewriteBody(res, (body) => {
            const json = JSON.parse(body) as { id_token?: string };
            return json.id_token
              ? JSON.stringify({ ...json, id_token: idp.signJwt({ ...decodeJwt(json.id_token), ...claims }) })
              : body;
          });
          return false;
        };
        const out = await tryToken(p);
        stack.faults.clear();
        const label = JSON.stringify(claims);
        expect(out.error, label).toMatchObject({ code: 'invalid_id_token', tokenish: false });
        const state = await p.evaluate(async () => {
          const w = window as unknown as AppWindow;
          return {
            authenticated: await w.client.isAuthenticated(),
            keys: Object.keys(localStorage).filter((k) => k.startsWith('sso-spa') && !k.startsWith('sso-spa.meta.')),
            signedOut: w.events.filter((e) => e.type === 'signed_out'),
          };
        });
        expect(state, label).toEqual({
          authenticated: false,
          keys: [],
          signedOut: [{ type: 'signed_out', reason: 'invalid_grant', fromOtherTab: false }],
        });
        await other.waitForFunction(() => (window as unknown as AppWindow).events.some((e) => e.type === 'signed_out'));
        expect(await other.evaluate(() => (window as unknown as AppWindow).client.isAuthenticated())).toBe(false);
      }
    },
  );

  securityCase(
    'D6',
    'no refresh token issued: missing_refresh_token without any token request; never refresh_token=undefined',
    async () => {
      const p = await signedIn({ cacheLocation: 'localstorage' });
      await p.evaluate(
        () => void (window as unknown as AppWindow).makeClient({ useRefreshTokens: true, cacheLocation: 'localstorage' }),
      );
      await expired(p);
      const from = stack.faults.log.length;
      const out = await tryToken(p);
      expect(out.error).toMatchObject({ code: 'missing_refresh_token', tokenish: false });
      expect(stack.faults.tokenRequests(from)).toEqual([]);
      expect(stack.faults.log.slice(from).filter((r) => r.path === '/authorize')).toEqual([]);
      expect(await leftovers(p)).toEqual(CLEAN);
    },
  );

  securityCase(
    'B11',
    'token responses rewritten to HTML, an array, or without access_token or id_token: typed, nothing stored',
    async () => {
      const rewrites: [string, (json: Record<string, unknown>) => string][] = [
        ['html', () => '<!doctype html><p>hello</p>'],
        ['array', (json) => JSON.stringify([json])],
        ['no access_token', ({ access_token: _a, ...rest }) => JSON.stringify(rest)],
        ['no id_token', ({ id_token: _i, ...rest }) => JSON.stringify(rest)],
        ['expires_in text', (json) => JSON.stringify({ ...json, expires_in: 'soon' })],
      ];
      for (const [name, rewrite] of rewrites) {
        stack.faults.fault = (req, res) => {
          if (req.method !== 'POST' || !req.url?.startsWith('/oauth/token')) return false;
          rewriteBody(res, (body) => rewrite(JSON.parse(body) as Record<string, unknown>));
          return false;
        };
        const p = await openApp(stack, '/');
        pages.push(p);
        await p.evaluate(() => localStorage.clear());
        await p.evaluate(() =>
          (window as unknown as AppWindow).makeClient({ cacheLocation: 'localstorage' }).loginWithRedirect(),
        );
        await signIn(p);
        await p.waitForURL(/\/callback\?/);
        await appReady(p);
        const out = await p.evaluate(async () => {
          const w = window as unknown as AppWindow;
          return (await w.__settle(w.makeClient({ cacheLocation: 'localstorage' }).handleRedirectCallback())).error;
        });
        expect(out, name).toMatchObject({ code: 'invalid_response', tokenish: false });
        const t = await traces(p);
        expect([...t.local, ...t.session], name).toEqual([]);
      }
    },
  );

  securityCase('G3', 'a refresh in flight in another tab when this tab logs out does not bring the tokens back', async () => {
    const options = { useRefreshTokens: true, cacheLocation: 'localstorage' };
    const a = await signedIn(options);
    const b = await openApp(stack, '/');
    await b.evaluate((o) => void (window as unknown as AppWindow).makeClient(o), options);
    await expired(a);
    // The IdP answers the refresh only once the logout is done.
    let answer: () => void = () => {};
    stack.faults.fault = (req, res, _idp, next) => {
      if (req.method !== 'POST' || !req.url?.startsWith('/oauth/token')) return false;
      answer = () => void next(req, res);
      return true;
    };
    const from = stack.faults.log.length;
    const renewal = b.evaluate(() => {
      const w = window as unknown as AppWindow;
      return w.__settle(w.client.getTokenSilently());
    });
    // The refresh has reached the IdP (and is held there) before the logout.
    await expect.poll(() => stack.faults.tokenRequests(from).length).toBe(1);
    await a.evaluate(() => (window as unknown as AppWindow).client.logout({ openUrl: false }));
    answer();
    const out = await renewal;
    stack.faults.clear();
    // Logout revokes the refresh token (RFC 7009) before it resolves, and the IdP answers the held
    // refresh only then, so it refuses it; a refresh answered before the revocation would be
    // dropped by the session epoch instead (`cancelled`, covered by the unit tier).
    expect(out.error?.code).toBe('invalid_grant');
    for (const page of [a, b]) {
      await expect
        .poll(() =>
          page.evaluate(async () => ({
            keys: Object.keys(localStorage).filter((k) => k.startsWith('sso-spa') && !k.startsWith('sso-spa.meta.')),
            authenticated: await (window as unknown as AppWindow).client.isAuthenticated(),
          })),
        )
        .toEqual({ keys: [], authenticated: false });
    }
    await a.close();
    await b.close();
  });

  securityCase('F3', 'offline, a renewal through the iframe fails at once with `network`, not at the timeout', async () => {
    const p = await signedIn({});
    await expired(p);
    await stack.browser.context.setOffline(true);
    const out = await p.evaluate(() => {
      const w = window as unknown as AppWindow;
      return w.__settle(w.client.getTokenSilently({ timeoutInSeconds: 5 }));
    });
    await stack.browser.context.setOffline(false);
    expect(out.error?.code).toBe('network');
    await p.close();
  });
});
