// Issue 12 in Chromium against the dev IdP: a callback tab duplicated before it was handled
// (window.open(location.href) copies sessionStorage, as restoring a tab does), and redirect
// targets that normalise to another host, in a real address bar.
import type { Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import { appReady, signIn } from '../browser/harness.js';
import { type AppWindow, CLEAN, leftovers, openApp, type SecurityStack, stackPerFile, startSecurityStack } from './browser.js';
import { securitySuite } from './cases.js';

const securityCase = securitySuite(import.meta.url, 'chromium');
const OPTIONS = { useRefreshTokens: true, cacheLocation: 'localstorage' };

describe('(a, g) copied callback tabs and normalising redirect targets in Chromium', () => {
  let stack: SecurityStack;
  const pages: Page[] = [];
  stackPerFile(
    () => startSecurityStack(true),
    pages,
    (started) => {
      stack = started;
    },
  );

  /** A callback page not yet handled, and a copy of it opened from it (same sessionStorage). */
  async function callbackAndCopy(): Promise<[Page, Page]> {
    const p = await openApp(stack, '/');
    pages.push(p);
    await p.evaluate((o) => (window as unknown as AppWindow).makeClient(o).loginWithRedirect(), OPTIONS);
    await signIn(p);
    await p.waitForURL(/\/callback\?/);
    await appReady(p);
    const [copy] = await Promise.all([
      stack.browser.context.waitForEvent('page'),
      p.evaluate(() => void window.open(location.href)),
    ]);
    pages.push(copy);
    await copy.waitForURL(/\/callback\?/);
    await appReady(copy);
    // The copy really holds the transaction: without the cross-tab claim it would exchange the code.
    const txOf = (page: Page) => page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('sso-spa.tx::')));
    expect(await txOf(copy)).toEqual(await txOf(p));
    expect(await txOf(copy)).toHaveLength(1);
    return [p, copy];
  }

  const handle = (p: Page) =>
    p.evaluate(async (o) => {
      const w = window as unknown as AppWindow;
      return w.__settle(w.makeClient(o).handleRedirectCallback());
    }, OPTIONS);

  /** A refresh through the provider: fails with invalid_grant once the provider revoked the grant. */
  const refresh = (p: Page) =>
    p.evaluate(async (o) => {
      const w = window as unknown as AppWindow;
      return w.__settle(w.makeClient(o).getTokenSilently({ cacheMode: 'off' }));
    }, OPTIONS);

  async function expectOneExchangeAndLiveGrant(winner: Page, loser: Page, from: number): Promise<void> {
    const tokenRequests = stack.faults.tokenRequests(from);
    expect(tokenRequests).toHaveLength(1);
    expect(tokenRequests[0]?.status).toBe(200);
    expect(await loser.evaluate(() => location.href)).toBe(`${stack.app.origin}/callback`);
    // The winner's grant is alive at the provider: its refresh token still works.
    const renewed = await refresh(winner);
    expect(renewed.error).toBeUndefined();
    expect(renewed.ok).toMatch(/\w/);
    expect(stack.faults.tokenRequests(from)).toHaveLength(2);
    expect(await winner.evaluate(() => (window as unknown as AppWindow).client.isAuthenticated())).toBe(true);
    // The refresh holds its token's lock a moment after use (D3), then everything is released.
    for (const p of [winner, loser]) await expect.poll(() => leftovers(p)).toEqual(CLEAN);
  }

  securityCase(
    'A8',
    'a copy handled at the same time as its original: one code exchange, the copy fails, the grant stays alive',
    async () => {
      const [p, copy] = await callbackAndCopy();
      const from = stack.faults.log.length;
      const [a, b] = await Promise.all([handle(p), handle(copy)]);
      const outcomes = [a, b].map((r) => r.error?.code ?? 'ok').sort();
      expect(outcomes).toEqual(['ok', 'state_mismatch']);
      for (const r of [a, b]) expect(r.error?.tokenish ?? false).toBe(false);
      const [winner, loser] = a.error ? [copy, p] : [p, copy];
      await expectOneExchangeAndLiveGrant(winner, loser, from);
    },
  );

  securityCase(
    'A8',
    'a copy handled after its original (a restored tab): no token request, the original keeps working tokens',
    async () => {
      const [p, copy] = await callbackAndCopy();
      const from = stack.faults.log.length;
      expect((await handle(p)).error).toBeUndefined();
      const late = await handle(copy);
      expect(late.error).toMatchObject({ code: 'state_mismatch', tokenish: false });
      expect(await copy.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('sso-spa.tx')))).toEqual([]);
      await expectOneExchangeAndLiveGrant(p, copy, from);
    },
  );

  securityCase(
    'G5',
    'targets that normalise to //host: sameOriginPath gives the fallback and replaceState stays on the site',
    async () => {
      const p = await openApp(stack, '/start');
      pages.push(p);
      const out = await p.evaluate(() => {
        const w = window as unknown as AppWindow;
        const targets = [
          '/.//evil.localhost/x',
          '/..//evil.localhost/x',
          '/a/..//evil.localhost/x',
          '/%2e//evil.localhost/x',
          '/%2E%2E//evil.localhost/x',
          '/%2f/evil.localhost/x',
          '/%5Cevil.localhost/x',
        ];
        return targets.map((target) => {
          const path = w.SsoSpa.sameOriginPath(target, '/home');
          let threw = false;
          try {
            history.replaceState(null, '', path);
          } catch {
            threw = true;
          }
          // What the unchecked normalisation would have produced makes replaceState refuse.
          let rawThrew = false;
          try {
            history.replaceState(null, '', new URL(target, location.origin).pathname);
          } catch {
            rawThrew = true;
          }
          history.replaceState(null, '', '/start');
          return { target, path, threw, rawThrew };
        });
      });
      for (const o of out) {
        expect(o.path, o.target).toBe('/home');
        expect(o.threw, o.target).toBe(false);
      }
      expect(out.filter((o) => o.rawThrew).map((o) => o.target)).toEqual(out.slice(0, 5).map((o) => o.target));
      expect(p.url()).toBe(`${stack.app.origin}/start`);
    },
  );
});
