// Faults a real deployment meets, in Chromium against the real dev IdP: the provider restarts
// with new keys and without its sessions, goes away and comes back, and many tabs renew at
// once. Every wait is for a condition (a token expired in the page, a request seen at the IdP),
// never for a fixed time.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { API, appReady, signIn, untilExpired } from '../browser/harness.js';
import {
  type AppWindow,
  CLEAN,
  leftovers,
  openApp,
  rewriteBody,
  type SecurityStack,
  startSecurityStack,
  tokenLines,
} from './browser.js';

const LIFETIME = 3;
const MODES = {
  'refresh tokens': { useRefreshTokens: true, cacheLocation: 'localstorage' },
  iframe: { cacheLocation: 'localstorage' },
} as const;

/** A measured figure, printed with the test output for the report. */
const figure = (label: string, value: string) => console.log(`[figure] ${label}: ${value}`);

declare const window: Window & AppWindow & { SsoSpa: { createSsoClient(o: unknown): Promise<AppWindow['client']> } };

/** Signs a new page in with `options` and returns it. */
async function signedIn(stack: SecurityStack, options: Record<string, unknown>): Promise<Page> {
  const p = await openApp(stack, '/');
  await p.evaluate((o) => window.makeClient(o).loginWithRedirect(), options);
  await signIn(p);
  await p.waitForURL(/\/callback\?/);
  await appReady(p);
  await p.evaluate((o) => window.makeClient(o).handleRedirectCallback(), options);
  return p;
}

const tryToken = (p: Page, options: Record<string, unknown> = {}) =>
  p.evaluate((o) => window.__settle(window.client.getTokenSilently(o)), options);

const authenticated = (p: Page) => p.evaluate(() => window.client.isAuthenticated());

const expired = (p: Page) => untilExpired(p);

/** Counts the browser's requests to the IdP's origin (documents, frames and fetches). */
function countIdpRequests(stack: SecurityStack) {
  const origin = new URL(stack.idp.issuer).origin;
  const seen: string[] = [];
  const listener = (request: { url(): string; method(): string }) => {
    if (request.url().startsWith(origin)) seen.push(`${request.method()} ${new URL(request.url()).pathname}`);
  };
  stack.browser.context.on('request', listener);
  return {
    seen,
    stop: () => stack.browser.context.off('request', listener),
  };
}

describe('a provider restarted with new signing keys and without its sessions (memory storage)', () => {
  let stack: SecurityStack;
  const pages: Page[] = [];
  beforeAll(async () => {
    // Third-party cookies allowed, so the hidden iframe reaches the provider's session.
    stack = await startSecurityStack(true, { idTokenSeconds: LIFETIME, accessTokenSeconds: LIFETIME });
  });
  afterEach(async () => {
    expect(tokenLines(stack.console)).toEqual([]);
    for (const p of pages.splice(0)) await p.close();
    await stack.browser.context.clearCookies();
  });
  afterAll(async () => {
    await stack?.close();
  });

  for (const [mode, options] of Object.entries(MODES)) {
    it(`${mode}: the next renewal fails with one typed error, once, and leaves nothing running (no loop)`, async () => {
      const p = await signedIn(stack, options);
      pages.push(p);
      await stack.restartIdp();
      await expired(p);
      const requests = countIdpRequests(stack);
      const first = await tryToken(p);
      // The grant is unknown to the new provider (invalid_grant). Through the iframe the stale
      // id_token_hint is refused (invalid_request), the SDK asks once more without it, and the
      // session is gone (login_required): never a network error or a timeout.
      expect(first.error?.code).toMatch(mode === 'iframe' ? /^login_required$/ : /^invalid_grant$/);
      expect(first.error?.tokenish).toBe(false);
      const events = await p.evaluate(() => window.events.map((e) => e.type));
      expect(events.filter((t) => t === 'renewal_failed')).toHaveLength(1);
      // No loop: nothing pending in the page that could try again on its own.
      await expect.poll(() => leftovers(p)).toEqual(CLEAN);
      const during = requests.seen.length;
      // Asked again, the app gets a typed answer; the dropped refresh token is not sent again.
      const second = await tryToken(p);
      expect(second.error?.code).toMatch(mode === 'iframe' ? /^login_required$/ : /^missing_refresh_token$/);
      requests.stop();
      figure(
        `restart with new keys, ${mode}`,
        `requests to the IdP for the failed renewal ${during}, for the next call ${requests.seen.length - during}`,
      );
      expect(during).toBeLessThanOrEqual(3);
      expect(requests.seen.length - during).toBeLessThanOrEqual(mode === 'iframe' ? 1 : 0);
    });
  }

  it('a reload right after the restart starts cleanly: createSsoClient resolves, signed out, and stays usable', async () => {
    const p = await signedIn(stack, MODES.iframe);
    pages.push(p);
    await stack.restartIdp();
    // Expired, so start-up has to ask the provider, with the old ID token as id_token_hint.
    await expired(p);
    await p.reload();
    await appReady(p);
    const base = {
      issuer: stack.idp.issuer,
      clientId: 'site-a',
      authorizationParams: { redirect_uri: `${stack.app.origin}/callback`, audience: API },
      cacheLocation: 'localstorage',
      // The start-up check alone: the default would also look for the session once with a
      // top-level redirect, as this user signed in before (covered by the unit tier).
      checkSessionRedirect: false,
    };
    const start = await p.evaluate(async (o) => {
      const client = await window.__settle(window.SsoSpa.createSsoClient(o));
      if (client.error) return { error: client.error.code };
      (window as unknown as { client: unknown }).client = client.ok;
      return { authenticated: await client.ok.isAuthenticated() };
    }, base);
    expect(start).toEqual({ authenticated: false });
    // A fresh login against the restarted provider works.
    await p.evaluate(() => window.client.loginWithRedirect());
    await signIn(p);
    await p.waitForURL(/\/callback\?/);
    await appReady(p);
    expect(
      await p.evaluate(async (o) => (await window.__settle(window.makeClient(o).handleRedirectCallback())).error, base),
    ).toBe(undefined);
    expect(await authenticated(p)).toBe(true);
  });
});

describe('a provider unreachable for a while (connection refused) that comes back with its sessions', () => {
  let stack: SecurityStack;
  let dir: string;
  const pages: Page[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sso-spa-idp-'));
    stack = await startSecurityStack(true, {
      idTokenSeconds: LIFETIME,
      accessTokenSeconds: LIFETIME,
      storage: { file: join(dir, 'idp.json') },
    });
  });
  afterEach(async () => {
    expect(tokenLines(stack.console)).toEqual([]);
    for (const p of pages.splice(0)) await p.close();
  });
  afterAll(async () => {
    await stack?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [mode, options] of Object.entries(MODES)) {
    it(`${mode}: renewals fail (network; timeout through the iframe) while it is down, no retry storm, the session kept and resumed when it is back`, async () => {
      const p = await signedIn(stack, options);
      pages.push(p);
      const before = (await tryToken(p)).ok;
      await stack.restartIdp({}, true);
      await expired(p);
      const requests = countIdpRequests(stack);
      // An app asking often: 3 bursts of 5 concurrent calls (a short timeout for the iframe).
      const codes: (string | undefined)[] = [];
      for (let burst = 0; burst < 3; burst++) {
        const settled = await p.evaluate(() =>
          Promise.all(Array.from({ length: 5 }, () => window.__settle(window.client.getTokenSilently({ timeoutInSeconds: 2 })))),
        );
        codes.push(...settled.map((s) => s.error?.code));
      }
      // Refused connections: `network` from fetch. A frame cannot tell the page why it did not
      // answer, so the iframe reports `timeout` (at timeoutInSeconds); never login_required.
      expect(new Set(codes)).toEqual(new Set([mode === 'iframe' ? 'timeout' : 'network']));
      expect(await authenticated(p)).toBe(true);
      await expect.poll(() => leftovers(p)).toEqual(CLEAN);
      const whileDown = requests.seen.length;
      requests.stop();
      figure(`provider down, ${mode}`, `${whileDown} requests to the IdP for 15 getTokenSilently calls in 3 bursts`);
      // At most one attempt per burst (plus its preflight): concurrent calls share one renewal.
      expect(whileDown).toBeLessThanOrEqual(6);

      await stack.restartIdp();
      const after = await tryToken(p);
      expect(after.error).toBeUndefined();
      expect(after.ok).not.toBe(before);
      expect(await authenticated(p)).toBe(true);
    });
  }
});

describe('20 tabs of one site × 10 concurrent getTokenSilently at expiry (rotation with reuse detection)', () => {
  const TABS = 20;
  const CALLS = 10;
  const ROUNDS = 2;
  let stack: SecurityStack;
  beforeAll(async () => {
    stack = await startSecurityStack(false, { idTokenSeconds: LIFETIME, accessTokenSeconds: LIFETIME });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('exactly one refresh per expiry, no invalid_grant, no sign-out', async () => {
    const options = MODES['refresh tokens'];
    const first = await signedIn(stack, options);
    const tabs: Page[] = [first];
    for (let i = 1; i < TABS; i++) tabs.push(await openApp(stack, '/'));
    for (const tab of tabs.slice(1)) await tab.evaluate((o) => void window.makeClient(o), options);
    const refused: string[] = [];
    stack.faults.fault = (req, res) => {
      if (req.method !== 'POST' || !req.url?.startsWith('/oauth/token')) return false;
      rewriteBody(res, (body) => {
        if (res.statusCode !== 200) refused.push(`${res.statusCode} ${body}`);
        return body;
      });
      return false;
    };
    const perExpiry: number[] = [];
    let previous = '';
    for (let round = 0; round < ROUNDS; round++) {
      for (const tab of tabs) await expired(tab);
      const from = stack.faults.log.length;
      const results = await Promise.all(
        tabs.map((tab) =>
          tab.evaluate(async (calls) => {
            const settled = await Promise.all(
              Array.from({ length: calls }, () => window.__settle(window.client.getTokenSilently())),
            );
            return settled.map((s) => String(s.ok ?? `error:${s.error?.code}`));
          }, CALLS),
        ),
      );
      const tokens = results.flat();
      perExpiry.push(stack.faults.tokenRequests(from).length);
      expect(
        tokens.filter((t) => t.startsWith('error:')),
        refused.join(' | '),
      ).toEqual([]);
      expect(new Set(tokens).size).toBe(1);
      expect(tokens[0]).not.toBe(previous);
      previous = tokens[0] as string;
    }
    const events = (await Promise.all(tabs.map((tab) => tab.evaluate(() => window.events)))).flat();
    figure(
      `${TABS} tabs × ${CALLS} calls at expiry, refresh tokens`,
      `token requests per expiry ${perExpiry.join(', ')}; refused ${refused.length}`,
    );
    expect(perExpiry).toEqual(Array(ROUNDS).fill(1));
    expect(refused).toEqual([]);
    expect(events.filter((e) => e.type === 'signed_out' || e.type === 'renewal_failed')).toEqual([]);
    expect(await stack.idp.listSessions()).toHaveLength(1);
    for (const tab of tabs) await expect.poll(() => leftovers(tab)).toEqual(CLEAN);
    expect(tokenLines(stack.console)).toEqual([]);
    for (const tab of tabs) await tab.close();
  }, 180_000);
});
