import type { Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import { appReady } from '../browser/harness.js';
import {
  type AppWindow,
  CLEAN,
  decodeJwt,
  type Fault,
  HOSTILE_ON_IDP,
  leftovers,
  onAuthorize,
  openApp,
  rewriteBody,
  type SecurityStack,
  stackPerFile,
  startSecurityStack,
} from './browser.js';
import { figure, securitySuite } from './cases.js';

const securityCase = securitySuite(import.meta.url, 'chromium');
const BOB = { sub: 'bob', email: 'bob@example.com', password: 'builder', name: 'Bob' };
const ALICE = { sub: 'alice', email: 'alice@example.com', password: 'wonderland', name: 'Alice Liddell' };

describe('(c) silent authentication channel in Chromium against the dev IdP', () => {
  let stack: SecurityStack;
  const pages: Page[] = [];
  const page = async (path = '/') => {
    const p = await openApp(stack, path);
    pages.push(p);
    return p;
  };
  stackPerFile(
    () => startSecurityStack(true, { users: [ALICE, BOB] }),
    pages,
    (started) => {
      stack = started;
    },
  );

  /**
   * Starts a silent renewal with the IdP's answer held back, lets a hostile frame at
   * `hostileUrl` blast forged messages at the app, then returns the renewal's outcome.
   */
  async function renewUnderFire(hostileOrigin: string, hostilePath: string) {
    const p = await page();
    stack.faults.fault = onAuthorize('silent', (req, res, _idp, next) => {
      setTimeout(() => void next(req, res), 1500);
      return true;
    });
    const tokenCalls = stack.faults.tokenRequests().length;
    const outcome = await p.evaluate(
      async ({ hostileOrigin, hostilePath, issuer }) => {
        const w = window as unknown as AppWindow;
        let forgedSeen = 0;
        const count = (event: MessageEvent) => {
          if (event.origin === hostileOrigin) forgedSeen++;
        };
        addEventListener('message', count);
        const pending = w.__settle(w.makeClient().getTokenSilently({ timeoutInSeconds: 20 }));
        let frame = document.querySelector<HTMLIFrameElement>('iframe[title="Silent authentication"]');
        while (!frame) {
          await new Promise((r) => setTimeout(r, 5));
          frame = document.querySelector<HTMLIFrameElement>('iframe[title="Silent authentication"]');
        }
        const state = new URL(frame.src).searchParams.get('state') ?? '';
        const hostile = document.createElement('iframe');
        hostile.src = `${hostileOrigin}${hostilePath}#mode=forge&ms=1200&state=${state}&iss=${encodeURIComponent(issuer)}`;
        document.body.append(hostile);
        const result = await pending;
        const seenBeforeAnswer = forgedSeen;
        removeEventListener('message', count);
        hostile.remove();
        return { result, seenBeforeAnswer };
      },
      { hostileOrigin, hostilePath, issuer: stack.idp.issuer },
    );
    return { p, outcome, tokenCalls: stack.faults.tokenRequests().length - tokenCalls };
  }

  securityCase(
    'C1',
    'forged postMessages from another origin, well formed or junk, are ignored; the real answer wins',
    async () => {
      const { p, outcome, tokenCalls } = await renewUnderFire(stack.evil.origin, '/hostile-frame.html');
      expect(outcome.seenBeforeAnswer).toBeGreaterThan(20);
      // No SSO session: the IdP's real answer is login_required; the forged code was never exchanged.
      expect(outcome.result.error).toMatchObject({ code: 'login_required', error: 'login_required', tokenish: false });
      expect(tokenCalls).toBe(0);
      expect(await leftovers(p)).toEqual(CLEAN);
    },
  );

  securityCase('C2', "messages from the IdP's own origin but another window (not our iframe) are ignored", async () => {
    const idpOrigin = new URL(stack.idp.issuer).origin;
    const { p, outcome, tokenCalls } = await renewUnderFire(idpOrigin, HOSTILE_ON_IDP);
    expect(outcome.seenBeforeAnswer).toBeGreaterThan(20);
    expect(outcome.result.error).toMatchObject({ code: 'login_required', tokenish: false });
    expect(tokenCalls).toBe(0);
    expect(await leftovers(p)).toEqual(CLEAN);
  });

  securityCase(
    'C2',
    'our iframe answering with another state fails with state_mismatch, no token request, nothing left',
    async () => {
      const p = await page();
      const appOrigin = stack.app.origin;
      stack.faults.fault = onAuthorize('silent', (_req, res, idp) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end(
          `<script>parent.postMessage({ type: 'authorization_response', response: { code: 'forged-code', state: 'not-yours', iss: ${JSON.stringify(idp.issuer)} } }, ${JSON.stringify(appOrigin)});</script>`,
        );
        return true;
      });
      const outcome = await p.evaluate(async () => {
        const w = window as unknown as AppWindow;
        const client = w.makeClient();
        const result = await w.__settle(client.getTokenSilently({ timeoutInSeconds: 20 }));
        return { result, authenticated: await client.isAuthenticated() };
      });
      expect(outcome.result.error).toMatchObject({ code: 'state_mismatch', tokenish: false });
      expect(outcome.authenticated).toBe(false);
      expect(stack.faults.tokenRequests()).toHaveLength(0);
      expect(await leftovers(p)).toEqual(CLEAN);
    },
  );

  securityCase(
    'C3',
    'the silent-callback page posts with its own origin as targetOrigin: a hostile parent receives nothing',
    async () => {
      const callback = `${stack.app.origin}/silent.html?code=secret-code&state=s1&iss=x`;
      const evil = await stack.browser.context.newPage();
      pages.push(evil);
      await evil.goto(`${stack.evil.origin}/hostile-frame.html#mode=embed&src=${encodeURIComponent(callback)}`);
      const child = await (async () => {
        for (;;) {
          const frame = evil.frames().find((f) => f.url().startsWith(`${stack.app.origin}/silent.html`));
          if (frame) return frame;
          await evil.waitForTimeout(20);
        }
      })();
      await child.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
      // The control: the same page inside the app's own origin does deliver its message.
      const app = await page();
      const delivered = await app.evaluate(async (src) => {
        const got = new Promise<{ origin: string; data: unknown }>((resolve) => {
          const on = (e: MessageEvent) => {
            removeEventListener('message', on);
            resolve({ origin: e.origin, data: e.data });
          };
          addEventListener('message', on);
        });
        const frame = document.createElement('iframe');
        frame.src = src;
        document.body.append(frame);
        const message = await got;
        frame.remove();
        return message;
      }, callback);
      expect(delivered).toEqual({
        origin: stack.app.origin,
        data: { type: 'authorization_response', response: { code: 'secret-code', state: 's1', iss: 'x' } },
      });
      const received = await evil.evaluate(() => (window as unknown as { received: unknown[] }).received);
      expect(received).toEqual([]);
    },
  );

  securityCase(
    'C4',
    'an OP that never answers, or a frame the OP refuses to be framed in: `timeout` at the limit, everything released',
    async () => {
      const modes: Record<string, Fault> = {
        hung: (_req, res) => {
          stack.faults.hung.push(res);
          return true;
        },
        'frame refused': (_req, res) => {
          res.writeHead(200, {
            'content-type': 'text/html',
            'x-frame-options': 'DENY',
            'content-security-policy': "frame-ancestors 'none'",
          });
          res.end('<p>not in a frame</p>');
          return true;
        },
        'an error page that never posts': (_req, res) => {
          res.writeHead(500, { 'content-type': 'text/html' });
          res.end('<h1>Internal error</h1>');
          return true;
        },
      };
      for (const [mode, fault] of Object.entries(modes)) {
        const p = await page();
        stack.faults.fault = onAuthorize('silent', fault);
        const outcome = await p.evaluate(async () => {
          const w = window as unknown as AppWindow;
          const client = w.makeClient();
          const started = performance.now();
          const result = await w.__settle(client.getTokenSilently({ timeoutInSeconds: 2 }));
          return { result, elapsed: performance.now() - started, events: w.events };
        });
        expect(outcome.result.error, mode).toMatchObject({ code: 'timeout', tokenish: false });
        // The reason a cross-origin frame lets us tell: never loaded (hung) or loaded without answering.
        expect(outcome.result.error?.message, mode).toMatch(
          mode === 'hung' ? /\(the frame never loaded\)/ : /\(the frame (loaded but sent no response|never loaded)/,
        );
        if (mode === 'an error page that never posts')
          expect(outcome.result.error?.message).toMatch(/loaded but sent no response/);
        expect(outcome.elapsed, mode).toBeGreaterThanOrEqual(1990);
        expect(outcome.events, mode).toEqual([{ type: 'renewal_failed', code: 'timeout', at: expect.any(Number) }]);
        expect(await leftovers(p), mode).toEqual(CLEAN);
        // The lock is free: the next renewal runs at once and gets the IdP's real answer.
        stack.faults.clear();
        const next = await p.evaluate(() => {
          const w = window as unknown as AppWindow;
          return w.__settle(w.client.getTokenSilently({ timeoutInSeconds: 20 }));
        });
        expect(next.error?.code, mode).toBe('login_required');
        expect(await leftovers(p), mode).toEqual(CLEAN);
      }
    },
  );

  securityCase(
    'C5',
    '100 silent renewals failing with login_required leave zero iframes, listeners, timers and locks, and no heap growth',
    async () => {
      const p = await page();
      const cdp = await p.context().newCDPSession(p);
      const heap = async () => {
        await cdp.send('HeapProfiler.collectGarbage');
        await cdp.send('HeapProfiler.collectGarbage');
        return (await cdp.send('Runtime.getHeapUsage')).usedSize;
      };
      const fail = (n: number) =>
        p.evaluate(async (n) => {
          const w = window as unknown as AppWindow;
          const client = w.client ?? w.makeClient();
          const codes = new Set<string>();
          for (let i = 0; i < n; i++) {
            const r = await w.__settle(client.getTokenSilently({ cacheMode: 'off', timeoutInSeconds: 20 }));
            codes.add(String(r.error?.code));
          }
          w.events.length = 0;
          return [...codes];
        }, n);
      expect(await fail(10)).toEqual(['login_required']);
      const before = await heap();
      const started = Date.now();
      expect(await fail(100)).toEqual(['login_required']);
      const seconds = (Date.now() - started) / 1000;
      const after = await heap();
      const left = await leftovers(p);
      expect(left).toEqual(CLEAN);
      const growth = after - before;
      figure(
        'C5 leak check, 100 failed silent renewals (login_required)',
        `heap after GC ${(before / 1024).toFixed(0)} KiB → ${(after / 1024).toFixed(0)} KiB (${growth >= 0 ? '+' : ''}${(growth / 1024).toFixed(1)} KiB); ${left.iframes} iframes, ${left.listeners} message listeners, ${left.timers} timers, ${left.locks} locks left; ${seconds.toFixed(1)} s`,
      );
      // A leak of even one iframe document or closure set per renewal would be far above this.
      expect(growth).toBeLessThan(256 * 1024);
      await cdp.detach();
    },
  );

  securityCase(
    'C7',
    "silent auth answering for another user purges the old user's tokens in every tab and emits user_changed",
    async () => {
      // Alice signs in on the app in two tabs (per-tab memory caches).
      const one = await page();
      await one.evaluate(() => (window as unknown as AppWindow).makeClient().loginWithRedirect());
      await one.fill('input[name="login"]', ALICE.email);
      await one.fill('input[name="password"]', ALICE.password);
      await one.click('button[type="submit"]');
      await one.waitForURL(/\/callback\?/);
      await appReady(one);
      await one.evaluate(() => (window as unknown as AppWindow).makeClient().handleRedirectCallback());
      const two = await page();
      expect(
        await two.evaluate(async () => {
          const client = (window as unknown as AppWindow).makeClient();
          await client.checkSession();
          return (await client.getUser())?.sub;
        }),
      ).toBe('alice');
      // Bob signs in at the IdP in a third tab, outside the app: the SSO session is now Bob's.
      const three = await page();
      await three.evaluate(() =>
        (window as unknown as AppWindow).makeClient().loginWithRedirect({ authorizationParams: { prompt: 'login' } }),
      );
      await three.fill('input[name="login"]', BOB.email);
      await three.fill('input[name="password"]', BOB.password);
      await three.click('button[type="submit"]');
      await three.waitForURL(/\/callback\?/);
      // An OP that ignores id_token_hint: the hint is dropped, so prompt=none answers for Bob.
      stack.faults.fault = onAuthorize('silent', (req) => {
        const url = new URL(req.url ?? '/', 'http://x');
        url.searchParams.delete('id_token_hint');
        req.url = url.pathname + url.search;
        return false;
      });
      const renewed = await one.evaluate(async () => {
        const w = window as unknown as AppWindow;
        const token = await w.client.getTokenSilently({ cacheMode: 'off' });
        return {
          token,
          user: (await w.client.getUser())?.sub,
          events: w.events.filter((e) => !e.fromOtherTab).map((e) => [e.type, e.reason ?? e.source, e.sub]),
        };
      });
      expect(decodeJwt(renewed.token).sub).toBe('bob');
      expect(renewed.user).toBe('bob');
      expect(renewed.events).toEqual([
        ['tokens', 'redirect', 'alice'],
        ['signed_out', 'user_changed', undefined],
        ['tokens', 'iframe', 'bob'],
      ]);
      await two.waitForFunction(() => (window as unknown as AppWindow).events.some((e) => e.type === 'signed_out'));
      const other = await two.evaluate(async () => {
        const w = window as unknown as AppWindow;
        return {
          user: (await w.client.getUser())?.sub,
          cached: await w.client.getTokenSilently({ cacheMode: 'cache-only' }),
          signedOut: w.events.filter((e) => e.type === 'signed_out'),
        };
      });
      expect(other.signedOut).toEqual([{ type: 'signed_out', reason: 'user_changed', fromOtherTab: true }]);
      // Alice's tokens are gone from that tab; it never serves them next to Bob's.
      expect(other.user).toBeUndefined();
      expect(other.cached).toBeUndefined();
    },
  );

  /** Waits until the IdP has seen a popup (web_message, not prompt=none) authorization request; returns its state. */
  async function popupAuthorizeState(from: number, p: Page): Promise<string> {
    for (;;) {
      const request = stack.faults.log
        .slice(from)
        .find(
          (r) => r.path === '/authorize' && r.query.get('response_mode') === 'web_message' && r.query.get('prompt') !== 'none',
        );
      if (request) return request.query.get('state') ?? '';
      await p.waitForTimeout(20);
    }
  }

  securityCase(
    ['C1', 'C2'],
    'popup login under fire: forged messages from a hostile frame are ignored, the popup answer wins',
    async () => {
      const p = await page();
      stack.faults.fault = (req, res, idp, next) => {
        const url = new URL(req.url ?? '/', idp.issuer);
        if (url.pathname !== '/authorize' || url.searchParams.get('response_mode') !== 'web_message') return false;
        if (url.searchParams.get('prompt') === 'none') return false;
        setTimeout(() => void next(req, res), 1500);
        return true;
      };
      const from = stack.faults.log.length;
      const popupOpened = p.waitForEvent('popup');
      const pending = p.evaluate(() => {
        const w = window as unknown as AppWindow;
        return w.__settle(w.makeClient().loginWithPopup());
      });
      const popup = await popupOpened;
      const state = await popupAuthorizeState(from, p);
      await p.evaluate(
        ({ src }) => {
          const hostile = document.createElement('iframe');
          hostile.id = 'hostile';
          hostile.src = src;
          document.body.append(hostile);
        },
        {
          src: `${stack.evil.origin}/hostile-frame.html#mode=forge&ms=1200&state=${state}&iss=${encodeURIComponent(stack.idp.issuer)}`,
        },
      );
      // Without an SSO session the popup shows the login page: sign in there.
      const asked = await Promise.race([
        popup.waitForSelector('input[name="login"]').then(() => true),
        pending.then(() => false),
      ]).catch(() => false);
      if (asked) {
        await popup.fill('input[name="login"]', ALICE.email);
        await popup.fill('input[name="password"]', ALICE.password);
        await popup.click('button[type="submit"]');
      }
      const outcome = await pending;
      await p.evaluate(() => document.getElementById('hostile')?.remove());
      expect(outcome.error).toBeUndefined();
      expect(stack.faults.tokenRequests(from).map((r) => r.status)).toEqual([200]);
      expect(await p.evaluate(async () => (await (window as unknown as AppWindow).client.getUser())?.sub)).toBeTruthy();
      expect(popup.isClosed()).toBe(true);
      expect(await leftovers(p)).toEqual(CLEAN);
    },
  );

  securityCase('C4', 'the user closing the login popup: popup_closed, with the listener, timer and poll released', async () => {
    const p = await page();
    stack.faults.fault = (req, res, idp) => {
      const url = new URL(req.url ?? '/', idp.issuer);
      if (url.pathname !== '/authorize') return false;
      stack.faults.hung.push(res);
      return true;
    };
    const from = stack.faults.log.length;
    const popupOpened = p.waitForEvent('popup');
    const pending = p.evaluate(() => {
      const w = window as unknown as AppWindow;
      return w.__settle(w.makeClient().loginWithPopup());
    });
    const popup = await popupOpened;
    await popupAuthorizeState(from, p);
    await popup.close();
    const outcome = await pending;
    expect(outcome.error).toMatchObject({ code: 'popup_closed', tokenish: false });
    expect(await leftovers(p)).toEqual(CLEAN);
  });

  securityCase(
    ['C1', 'C3'],
    'a provider without web_message: the answer comes through the app callback page; forged messages are still ignored',
    async () => {
      const p = await page();
      stack.faults.fault = (req, res, idp, next) => {
        const url = new URL(req.url ?? '/', idp.issuer);
        if (url.pathname === '/.well-known/openid-configuration') {
          rewriteBody(res, (body) => {
            const metadata = JSON.parse(body) as { response_modes_supported: string[] };
            return JSON.stringify({
              ...metadata,
              response_modes_supported: metadata.response_modes_supported.filter((m) => m !== 'web_message'),
            });
          });
          return false;
        }
        if (url.pathname === '/authorize' && url.searchParams.get('prompt') === 'none') {
          setTimeout(() => void next(req, res), 1500);
          return true;
        }
        return false;
      };
      const from = stack.faults.log.length;
      const outcome = await p.evaluate(
        async ({ evil, issuer }) => {
          const w = window as unknown as AppWindow;
          const client = w.makeClient({ silentCallbackUri: `${location.origin}/silent.html` });
          const pending = w.__settle(client.getTokenSilently({ timeoutInSeconds: 20 }));
          let frame = document.querySelector<HTMLIFrameElement>('iframe[title="Silent authentication"]');
          while (!frame) {
            await new Promise((r) => setTimeout(r, 5));
            frame = document.querySelector<HTMLIFrameElement>('iframe[title="Silent authentication"]');
          }
          const state = new URL(frame.src).searchParams.get('state') ?? '';
          const hostile = document.createElement('iframe');
          hostile.src = `${evil}/hostile-frame.html#mode=forge&ms=1200&state=${state}&iss=${encodeURIComponent(issuer)}`;
          document.body.append(hostile);
          const result = await pending;
          hostile.remove();
          return result;
        },
        { evil: stack.evil.origin, issuer: stack.idp.issuer },
      );
      const authorize = stack.faults.log.slice(from).find((r) => r.path === '/authorize');
      expect(authorize?.query.get('redirect_uri')).toBe(`${stack.app.origin}/silent.html`);
      expect(authorize?.query.has('response_mode')).toBe(false);
      // With the SSO session of the earlier tests the renewal succeeds; alone, the IdP says login_required.
      expect(outcome.error?.code ?? 'ok').toMatch(/^(ok|login_required)$/);
      expect(outcome.error?.tokenish ?? false).toBe(false);
      expect(stack.faults.tokenRequests(from).map((r) => r.status)).toEqual(outcome.error ? [] : [200]);
      expect(await leftovers(p)).toEqual(CLEAN);
    },
  );
});
