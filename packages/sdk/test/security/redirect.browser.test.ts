import { createHash, randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { createDevIdp } from 'sso-spa-dev-idp';
import { describe, expect } from 'vitest';
import { API, appReady, signIn } from '../browser/harness.js';
import {
  type AppWindow,
  CLEAN,
  decodeJwt,
  FaultSwitch,
  leftovers,
  onAuthorize,
  openApp,
  rewriteBody,
  rewriteLocation,
  type SecurityStack,
  stackPerFile,
  startSecurityStack,
  traces,
} from './browser.js';
import { securitySuite } from './cases.js';

const securityCase = securitySuite(import.meta.url, 'chromium');

describe('(a, b, e, g) redirects, callbacks and logout in Chromium against the dev IdP', () => {
  let stack: SecurityStack;
  const pages: Page[] = [];
  const page = async (path = '/') => {
    const p = await openApp(stack, path);
    pages.push(p);
    return p;
  };
  stackPerFile(
    () => startSecurityStack(true),
    pages,
    (started) => {
      stack = started;
    },
  );

  /** Starts a redirect login and returns the callback URL the IdP sent the browser to (not yet handled). */
  async function toCallback(
    p: Page,
    options: Record<string, unknown> = {},
    login: Record<string, unknown> = {},
  ): Promise<string> {
    await p.evaluate(({ o, l }) => (window as unknown as AppWindow).makeClient(o).loginWithRedirect(l), { o: options, l: login });
    await signIn(p);
    await p.waitForURL(/\/callback\?/);
    await appReady(p);
    return p.url();
  }

  /** Handles a callback in the page (the current URL, or `href`) and reports the outcome. */
  function handle(p: Page, href?: string, options: Record<string, unknown> = {}) {
    return p.evaluate(
      async ({ href, options }) => {
        const w = window as unknown as AppWindow;
        const client = w.makeClient(options);
        const result = await w.__settle(client.handleRedirectCallback(href));
        return { result, href: location.href, user: (await client.getUser())?.sub };
      },
      { href, options },
    );
  }

  securityCase(
    ['A1', 'A2'],
    'forged states fail without a token request; the real callback then works once, a reload replays nothing',
    async () => {
      const p = await page();
      const callback = await toCallback(p);
      const from = stack.faults.log.length;
      for (const state of ['wrong', '__proto__', 'constructor', 'hasOwnProperty', null]) {
        const forged = new URL(callback);
        if (state === null) forged.searchParams.delete('state');
        else forged.searchParams.set('state', state);
        const out = await handle(p, forged.href);
        expect(out.result.error, String(state)).toMatchObject({ code: 'state_mismatch', tokenish: false });
        expect(out.href).toBe(`${stack.app.origin}/callback`);
        expect(out.user).toBeUndefined();
      }
      expect(stack.faults.tokenRequests(from)).toHaveLength(0);
      const real = await handle(p, callback);
      expect(real.result.error).toBeUndefined();
      expect(real.user).toBe('alice');
      expect(stack.faults.tokenRequests(from)).toHaveLength(1);
      // Reload with the same callback URL: fails cleanly, no second exchange.
      await p.goto(callback);
      await appReady(p);
      const replay = await handle(p);
      expect(replay.result.error).toMatchObject({ code: 'state_mismatch' });
      expect(replay.href).toBe(`${stack.app.origin}/callback`);
      expect(stack.faults.tokenRequests(from)).toHaveLength(1);
      expect((await traces(p)).session).toEqual([]);
      expect(await leftovers(p)).toEqual(CLEAN);
    },
  );

  securityCase(
    'A3',
    "the OP's error with a valid state is typed, its description kept as data; with a bad state nothing changes",
    async () => {
      const description = '<img src=x onerror="alert(1)">Access denied';
      for (const stateOf of [(s: string) => s, () => 'forged']) {
        stack.faults.fault = onAuthorize('interactive', (req, res, idp) => {
          const q = new URL(req.url ?? '/', idp.issuer).searchParams;
          const back = new URL(q.get('redirect_uri') as string);
          back.search = new URLSearchParams({
            error: 'access_denied',
            error_description: description,
            state: stateOf(q.get('state') as string),
            iss: idp.issuer,
          }).toString();
          res.writeHead(302, { location: back.href });
          res.end();
          return true;
        });
        const p = await page();
        const from = stack.faults.log.length;
        await p.evaluate(() => (window as unknown as AppWindow).makeClient().loginWithRedirect());
        await p.waitForURL(/\/callback\?/);
        await appReady(p);
        const before = await traces(p);
        const out = await handle(p);
        const after = await traces(p);
        expect(out.href).toBe(`${stack.app.origin}/callback`);
        expect(await p.evaluate(() => document.querySelectorAll('img').length)).toBe(0);
        if (stateOf('s') === 's') {
          expect(out.result.error).toMatchObject({
            code: 'access_denied',
            error: 'access_denied',
            errorDescription: description,
            tokenish: false,
          });
          expect(out.result.error?.message).not.toContain('onerror');
          expect(after.session).toEqual([]);
        } else {
          expect(out.result.error).toMatchObject({ code: 'state_mismatch' });
          // The pending transaction is untouched.
          expect(after.session).toEqual(before.session);
          expect(after.session).toHaveLength(1);
        }
        expect(stack.faults.tokenRequests(from)).toHaveLength(0);
        expect(await leftovers(p)).toEqual(CLEAN);
      }
    },
  );

  securityCase('A4', 'a real code whose response carries another iss, or none, is refused before the exchange', async () => {
    const warm = await page();
    await handle(warm, await toCallback(warm)); // an SSO session, so the IdP answers at once
    for (const iss of ['http://evil.localhost/', null]) {
      stack.faults.fault = onAuthorize('interactive', (_req, res) => {
        rewriteLocation(res, (location) => {
          const url = new URL(location);
          if (iss === null) url.searchParams.delete('iss');
          else url.searchParams.set('iss', iss);
          return url.href;
        });
        return false;
      });
      const p = await page();
      const callback = await toCallback(p);
      expect(new URL(callback).searchParams.get('code')).toBeTruthy();
      const from = stack.faults.log.length;
      const out = await handle(p);
      expect(out.result.error, String(iss)).toMatchObject({ code: 'issuer_mismatch', tokenish: false });
      expect(stack.faults.tokenRequests(from)).toHaveLength(0);
      expect(out.href).toBe(`${stack.app.origin}/callback`);
      expect((await traces(p)).session).toEqual([]);
      expect(await leftovers(p)).toEqual(CLEAN);
    }
  });

  securityCase(
    'A6',
    "code injection: the attacker's real code with the victim's state fails PKCE at the IdP; nothing stored",
    async () => {
      const attacker = await page();
      await handle(attacker, await toCallback(attacker));
      const verifier = randomBytes(32).toString('base64url');
      const authorize = new URL('authorize', stack.idp.issuer);
      authorize.search = new URLSearchParams({
        client_id: 'site-a',
        redirect_uri: `${stack.app.origin}/callback`,
        response_type: 'code',
        scope: 'openid profile email',
        state: 'attacker',
        nonce: 'attacker',
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
      }).toString();
      await attacker.goto(authorize.href);
      await attacker.waitForURL(/\/callback\?/);
      const attackerCode = new URL(attacker.url()).searchParams.get('code') as string;

      const victim = await page();
      const victimCallback = new URL(await toCallback(victim));
      const injected = new URL(victimCallback);
      injected.searchParams.set('code', attackerCode);
      const from = stack.faults.log.length;
      const out = await handle(victim, injected.href, { cacheLocation: 'localstorage' });
      expect(out.result.error).toMatchObject({ code: 'invalid_grant', error: 'invalid_grant', tokenish: false });
      expect(stack.faults.tokenRequests(from).map((r) => r.status)).toEqual([400]);
      expect(out.user).toBeUndefined();
      const t = await traces(victim);
      expect([...t.local, ...t.session]).toEqual([]);
      // No retry: the victim's own code, never sent, is also gone with its transaction.
      expect((await handle(victim, victimCallback.href)).result.error?.code).toBe('state_mismatch');
      expect(stack.faults.tokenRequests(from)).toHaveLength(1);
      expect(await leftovers(victim)).toEqual(CLEAN);
      // The probe saw the token request, made from a clean address bar.
      expect(
        await victim.evaluate(() => (window as unknown as { __probe: { hrefAtToken: string[] } }).__probe.hrefAtToken),
      ).toEqual([`${stack.app.origin}/callback`]);
    },
  );

  securityCase(
    ['B1', 'B2', 'B3', 'B4', 'B5', 'B6'],
    'ID tokens re-signed by the IdP key with one wrong claim are rejected: nothing stored, no request after',
    async () => {
      const warm = await page();
      await handle(warm, await toCallback(warm));
      const now = Math.floor(Date.now() / 1000);
      const wrong: Record<string, unknown>[] = [
        { iss: 'http://evil.localhost/' },
        { aud: 'someone-else' },
        { aud: ['site-a', 'someone-else'] },
        { azp: 'someone-else' },
        { exp: now - 120, iat: now - 240 },
        { nonce: 'replayed-nonce' },
        { sub: '' },
        { sub: 'x'.repeat(256) },
      ];
      for (const claims of wrong) {
        stack.faults.fault = (req, res, idp) => {
          if (req.method !== 'POST' || !req.url?.startsWith('/oauth/token')) return false;
          rewriteBody(res, (body) => {
            const json = JSON.parse(body) as { id_token?: string };
            if (!json.id_token) return body;
            return JSON.stringify({ ...json, id_token: idp.signJwt({ ...decodeJwt(json.id_token), ...claims }) });
          });
          return false;
        };
        const p = await page();
        await toCallback(p, { cacheLocation: 'localstorage' });
        const from = stack.faults.log.length;
        const out = await handle(p, undefined, { cacheLocation: 'localstorage' });
        const label = JSON.stringify(claims).slice(0, 60);
        expect(out.result.error, label).toMatchObject({ code: 'invalid_id_token', tokenish: false });
        const paths = stack.faults.log.slice(from).map((r) => r.path);
        expect(paths.slice(paths.indexOf('/oauth/token')), label).toEqual(['/oauth/token']);
        const t = await traces(p);
        expect([...t.local, ...t.session], label).toEqual([]);
        expect(t.href).toBe(`${stack.app.origin}/callback`);
        expect(await leftovers(p)).toEqual(CLEAN);
        await p.close();
      }
    },
  );

  securityCase(
    ['G1', 'G2'],
    "a hostile returnTo is refused by the IdP (exact registration), the page's query never sets a redirect URI",
    async () => {
      const p = await page(
        `/?redirect_uri=${encodeURIComponent(`${stack.evil.origin}/cb`)}&post_logout_redirect_uri=${encodeURIComponent(`${stack.evil.origin}/`)}`,
      );
      const from = stack.faults.log.length;
      await handle(p, await toCallback(p, { cacheLocation: 'localstorage' }), { cacheLocation: 'localstorage' });
      const authorize = stack.faults.log.slice(from).filter((r) => r.path === '/authorize');
      expect(authorize.map((r) => r.query.get('redirect_uri'))).toEqual([`${stack.app.origin}/callback`]);
      for (const returnTo of [`${stack.evil.origin}/`, `//evil.localhost:${stack.evil.port}/`]) {
        await p.goto(`${stack.app.origin}/?post_logout_redirect_uri=${encodeURIComponent(`${stack.evil.origin}/`)}`);
        await appReady(p);
        const at = stack.faults.log.length;
        await p.evaluate(
          (returnTo) =>
            (window as unknown as AppWindow).makeClient({ cacheLocation: 'localstorage' }).logout({ logoutParams: { returnTo } }),
          returnTo,
        );
        await p.waitForURL((url) => url.pathname === '/oidc/logout');
        await p.waitForLoadState('networkidle');
        expect(new URL(p.url()).origin).toBe(new URL(stack.idp.issuer).origin);
        const logout = stack.faults.log.slice(at).find((r) => r.path === '/oidc/logout');
        expect(logout?.query.get('post_logout_redirect_uri')).toBe(returnTo);
        expect(logout?.status).toBe(400);
      }
      // The local logout happened before the IdP was asked.
      await p.goto(`${stack.app.origin}/`);
      await appReady(p);
      expect((await traces(p)).local).toEqual([]);
    },
  );

  securityCase(
    ['G3', 'E5'],
    'logout in one of three tabs clears them all; id_token_hint is this issuer’s ID token, else client_id only',
    async () => {
      const one = await page();
      await handle(one, await toCallback(one));
      const others = [await page(), await page()];
      for (const t of others) {
        expect(
          await t.evaluate(async () => {
            const client = (window as unknown as AppWindow).makeClient();
            await client.checkSession();
            return client.isAuthenticated();
          }),
        ).toBe(true);
      }
      const from = stack.faults.log.length;
      await one.evaluate(() =>
        (window as unknown as AppWindow).client.logout({ logoutParams: { returnTo: `${location.origin}/` } }),
      );
      await one.waitForURL(`${stack.app.origin}/`);
      for (const t of others) {
        await t.waitForFunction(() => (window as unknown as AppWindow).events.some((e) => e.type === 'signed_out'));
        const state = await t.evaluate(async () => {
          const w = window as unknown as AppWindow;
          return {
            authenticated: await w.client.isAuthenticated(),
            cached: await w.client.getTokenSilently({ cacheMode: 'cache-only' }),
            signedOut: w.events.filter((e) => e.type === 'signed_out'),
          };
        });
        expect(state).toEqual({
          authenticated: false,
          cached: undefined,
          signedOut: [{ type: 'signed_out', reason: 'logout', fromOtherTab: true }],
        });
      }
      const logout = stack.faults.log.slice(from).find((r) => r.path === '/oidc/logout');
      const hint = logout?.query.get('id_token_hint') as string;
      expect(decodeJwt(hint)).toMatchObject({ iss: stack.idp.issuer, aud: 'site-a', sub: 'alice' });
      expect(logout?.query.get('client_id')).toBe('site-a');
      expect(await stack.idp.listSessions()).toEqual([]);
      // E5: nothing of the SDK's in storage, cookies or the address bar of the app.
      const t = await traces(one);
      expect(t).toEqual({ local: [], session: [], cookie: '', href: `${stack.app.origin}/` });
      expect(await stack.browser.context.cookies(stack.app.origin)).toEqual([]);

      // Without any ID token: client_id only.
      const fresh = await page();
      const request = fresh.waitForRequest((r) => new URL(r.url()).pathname === '/oidc/logout');
      await fresh.evaluate(() =>
        (window as unknown as AppWindow).makeClient().logout({ logoutParams: { returnTo: `${location.origin}/` } }),
      );
      const bare = new URL((await request).url()).searchParams;
      expect(bare.has('id_token_hint')).toBe(false);
      expect(bare.get('client_id')).toBe('site-a');
      await fresh.waitForURL(`${stack.app.origin}/`);
    },
  );

  securityCase(
    ['G4', 'E5'],
    'back from logout with a missing or foreign state: the local logout stays complete, no loop',
    async () => {
      const p = await page();
      await handle(p, await toCallback(p, { cacheLocation: 'localstorage' }), { cacheLocation: 'localstorage' });
      await p.evaluate(() =>
        (window as unknown as AppWindow).client.logout({ logoutParams: { returnTo: `${location.origin}/` } }),
      );
      await p.waitForURL(`${stack.app.origin}/`);
      for (const path of [
        '/',
        '/?state=forged',
        '/callback?state=forged&error=login_required',
        '/callback?state=__proto__&code=x',
      ]) {
        await p.goto(`${stack.app.origin}${path}`);
        await appReady(p);
        const from = stack.faults.log.length;
        const out = await p.evaluate(async () => {
          const w = window as unknown as AppWindow;
          const client = w.makeClient({ cacheLocation: 'localstorage' });
          const check = await w.__settle(client.checkSession());
          const callback = location.search.includes('state=') ? await w.__settle(client.handleRedirectCallback()) : undefined;
          return { check, callback: callback?.error?.code, authenticated: await client.isAuthenticated() };
        });
        expect(out.check.error, path).toBeUndefined();
        expect(out.callback, path).toBe(path.includes('state=') ? 'state_mismatch' : undefined);
        expect(out.authenticated).toBe(false);
        const t = await traces(p);
        expect([...t.local, ...t.session], path).toEqual([]);
        expect(new URL(t.href).pathname, path).toBe(new URL(`${stack.app.origin}${path}`).pathname);
        // At most the one silent prompt=none check; never an interactive authorization request.
        expect(stack.faults.log.slice(from).filter((r) => r.path === '/authorize' && r.query.get('prompt') !== 'none')).toEqual(
          [],
        );
        expect(await leftovers(p)).toEqual(CLEAN);
      }
    },
  );

  securityCase(
    'H1',
    'a device clock 3 hours off: one clock_skew error, nothing stored, no renewal loop; 50 s off is accepted',
    async () => {
      for (const [skew, code] of [
        [3 * 3600_000, 'clock_skew'],
        [-3 * 3600_000, 'clock_skew'],
        [50_000, undefined],
      ] as const) {
        const p = await stack.browser.context.newPage();
        pages.push(p);
        await p.addInitScript((skew) => {
          const now = Date.now;
          Date.now = () => now() + skew;
        }, skew);
        await openApp(stack, '/', p);
        const callback = await toCallback(p, { cacheLocation: 'localstorage' });
        const out = await handle(p, callback, { cacheLocation: 'localstorage' });
        if (!code) {
          expect(out.result.error).toBeUndefined();
          expect(out.user).toBe('alice');
          await p.evaluate(() => localStorage.clear());
          continue;
        }
        expect(out.result.error, String(skew)).toMatchObject({ code, tokenish: false });
        expect(out.result.error?.message).toMatch(/clock/);
        const from = stack.faults.log.length;
        const silent = await p.evaluate(() => {
          const w = window as unknown as AppWindow;
          return w.__settle(w.client.getTokenSilently());
        });
        expect(silent.error?.code).toBe(code);
        // One iframe and one exchange for the one call; nothing retries behind the caller.
        expect(stack.faults.log.slice(from).filter((r) => r.path === '/authorize')).toHaveLength(1);
        expect(stack.faults.tokenRequests(from)).toHaveLength(1);
        const t = await traces(p);
        expect([...t.local, ...t.session]).toEqual([]);
        expect(await leftovers(p)).toEqual(CLEAN);
      }
    },
  );

  securityCase(
    'E3',
    'localStorage full (QuotaExceededError): the login completes and tokens are served from memory',
    async () => {
      const p = await page();
      const filled = await p.evaluate(() => {
        localStorage.clear();
        // Fill to the last byte: big chunks first, then ever smaller ones.
        let error = 'never full';
        let i = 0;
        for (let size = 512 * 1024; size >= 1; size = Math.floor(size / 8)) {
          try {
            for (;;) localStorage.setItem(`filler-${i++}`, 'x'.repeat(size));
          } catch (e) {
            error = (e as Error).name;
          }
        }
        return error;
      });
      expect(filled).toBe('QuotaExceededError');
      const out = await handle(p, await toCallback(p, { cacheLocation: 'localstorage' }), { cacheLocation: 'localstorage' });
      expect(out.result.error).toBeUndefined();
      expect(out.user).toBe('alice');
      const served = await p.evaluate(async () => {
        const w = window as unknown as AppWindow;
        const a = await w.client.getTokenSilently();
        const b = await w.client.getTokenSilently();
        const keys = Object.keys(localStorage).filter((k) => k.startsWith('sso-spa') && !k.startsWith('sso-spa.meta.'));
        localStorage.clear();
        return { same: a === b, keys };
      });
      expect(served).toEqual({ same: true, keys: [] });
      expect(await leftovers(p)).toEqual(CLEAN);
    },
  );

  securityCase(
    'A5',
    "mix-up between two providers: one provider's response never reaches the other's token endpoint",
    async () => {
      const faultsB = new FaultSwitch();
      const app = stack.app.origin;
      const idpB = await createDevIdp({
        port: 0,
        hostname: 'idp-b.localhost',
        clockToleranceSeconds: 0,
        clients: [
          { clientId: 'site-a', redirectUris: [`${app}/callback`], postLogoutRedirectUris: [`${app}/`], webOrigins: [app] },
        ],
        apis: [{ identifier: API, scopes: ['read:messages'] }],
        faults: faultsB.hook,
      });
      try {
        // A's answer lands on the shared callback and B's client handles it.
        const p = await page();
        const callbackA = await toCallback(p);
        const fromA = stack.faults.log.length;
        const crossed = await handle(p, callbackA, { issuer: idpB.issuer });
        expect(crossed.result.error).toMatchObject({ code: 'state_mismatch', tokenish: false });
        expect(faultsB.tokenRequests()).toEqual([]);
        expect(stack.faults.tokenRequests(fromA)).toEqual([]);
        // B's own transaction answered with a code A issued (and B's iss): the code goes to B
        // only, with B's verifier, and B refuses it.
        await p.evaluate((issuer) => (window as unknown as AppWindow).makeClient({ issuer }).loginWithRedirect(), idpB.issuer);
        await p.waitForURL((url) => url.host === new URL(idpB.issuer).host);
        const stateB = faultsB.log.find((r) => r.path === '/authorize')?.query.get('state') as string;
        const other = await page();
        const codeA = new URL(await toCallback(other)).searchParams.get('code') as string;
        await p.goto(`${app}/callback?${new URLSearchParams({ code: codeA, state: stateB, iss: idpB.issuer })}`);
        await appReady(p);
        const injected = await handle(p, undefined, { issuer: idpB.issuer });
        expect(injected.result.error).toMatchObject({ code: 'invalid_grant', tokenish: false });
        expect(faultsB.tokenRequests().map((r) => r.status)).toEqual([400]);
        expect(stack.faults.tokenRequests(fromA)).toEqual([]);
        const t = await traces(p);
        // B's transaction is consumed; A's, whose answer B refused to touch, is still A's.
        expect(t).toMatchObject({ local: [], session: [`sso-spa.tx::${stack.idp.issuer}::site-a`] });
        expect(await leftovers(p)).toEqual(CLEAN);
      } finally {
        await idpB.close();
      }
    },
  );
});
