import { describe, expect } from 'vitest';
import { SsoClient } from '../../src/index.js';
import { REDIRECT_URI } from '../support/fake-op.js';
import { settle } from '../support/setup.js';
import { securitySuite } from './cases.js';
import { armed, CLIENT_ID, expectCode, ISSUER, idToken, nextTokenBody, sdkKeys, startLogin } from './helpers.js';

const securityCase = securitySuite(import.meta.url, 'unit');
const EXPIRE = 200_000;
const refreshBodies = (w: { wire: { tokenRequests: URLSearchParams[] } }) =>
  w.wire.tokenRequests.filter((b) => b.get('grant_type') === 'refresh_token');

describe('(d) refresh tokens', () => {
  securityCase(
    'D1',
    'a rotated refresh token replaces the old one in the same write, and every tab uses the new one',
    async () => {
      const w = armed({ cacheLocation: 'localstorage', useRefreshTokens: true });
      await w.login();
      const other = w.openTab();
      const writes: string[] = [];
      const setItem = w.browser.local.setItem.bind(w.browser.local);
      w.browser.local.setItem = (key, value) => {
        writes.push(value);
        setItem(key, value);
      };
      for (const client of [w.client, other.client, w.client]) {
        w.browser.advance(EXPIRE);
        await client.getTokenSilently();
      }
      const used = refreshBodies(w).map((b) => b.get('refresh_token'));
      expect(new Set(used).size).toBe(3);
      // Every write that carries a new access token carries its refresh token in the same entry.
      const entries = writes.map((v) => JSON.parse(v)).filter((e) => e.tokens);
      for (const entry of entries) expect(typeof entry.refresh_token).toBe('string');
      const stored = w.browser.local
        .keys()
        .map((k) => w.browser.local.getItem(k))
        .join('\n');
      for (const old of used) expect(stored.includes(old as string)).toBe(false);
      expect(w.events.filter((e) => e.type === 'signed_out')).toEqual([]);
    },
  );

  securityCase('D1', 'without a new refresh token in the response, the old one is kept and used again', async () => {
    const w = armed({ cacheLocation: 'localstorage', useRefreshTokens: true }, { rotateRefreshTokens: false });
    await w.login();
    for (let i = 0; i < 3; i++) {
      w.browser.advance(EXPIRE);
      await w.client.getTokenSilently();
    }
    const used = refreshBodies(w).map((b) => b.get('refresh_token'));
    expect(used).toHaveLength(3);
    expect(new Set(used).size).toBe(1);
  });

  securityCase(
    'D2',
    'invalid_grant drops the refresh token and its tokens, typed, and the next call makes no request',
    async () => {
      for (const description of ['expired', 'revoked', 'refresh token reuse detected']) {
        const w = armed({ cacheLocation: 'localstorage', useRefreshTokens: true });
        await w.login();
        w.browser.advance(EXPIRE);
        w.op.nextTokenResponse = () => Response.json({ error: 'invalid_grant', error_description: description }, { status: 400 });
        const e = await expectCode(w.client.getTokenSilently(), 'invalid_grant', w.wire);
        expect(e.errorDescription).toBe(description);
        const stored = w.browser.local.keys().map((k) => w.browser.local.getItem(k) ?? '');
        expect(stored.some((v) => v.includes('refresh_token') || v.includes('access_token'))).toBe(false);
        const calls = w.wire.tokenRequests.length;
        await expectCode(w.client.getTokenSilently(), 'missing_refresh_token', w.wire);
        expect(w.wire.tokenRequests.length).toBe(calls);
        expect(w.tab.frames).toHaveLength(0);
        expect(w.browser.pendingTimers).toBe(0);
      }
    },
  );

  securityCase(
    'D2',
    'reuse detected at the provider, with the opt-in fallback: exactly one iframe, and no loop when it fails too',
    async () => {
      const w = armed({ useRefreshTokens: true, useRefreshTokensFallback: true });
      await w.login();
      const stolen = w.wire.secrets;
      expect(stolen.size).toBeGreaterThan(0);
      w.browser.advance(EXPIRE);
      // The refresh token was already used elsewhere: the fake OP answers invalid_grant.
      const rt = refreshBodies(w).length;
      w.op.nextTokenResponse = () => Response.json({ error: 'invalid_grant', error_description: 'reuse' }, { status: 400 });
      w.op.session = false;
      await expectCode(w.client.getTokenSilently(), 'login_required', w.wire);
      expect(w.tab.frames).toHaveLength(1);
      expect(refreshBodies(w).length).toBe(rt + 1);
      expect(w.tab.navigations).toHaveLength(1); // the login only: never an interactive redirect
      await expectCode(w.client.getTokenSilently(), 'login_required', w.wire);
      expect(w.tab.frames).toHaveLength(2);
      expect(refreshBodies(w).length).toBe(rt + 1);
    },
  );

  securityCase(
    'D4',
    'the response is lost after the OP rotated: typed network error, no automatic resend, the session kept',
    async () => {
      const w = armed({ cacheLocation: 'localstorage', useRefreshTokens: true });
      await w.login();
      w.browser.advance(EXPIRE);
      const inner = w.tab.fetch;
      w.tab.fetch = async (input, init) => {
        const response = await inner(input, init);
        if (String(init?.body).includes('grant_type=refresh_token')) throw new TypeError('Failed to fetch');
        return response;
      };
      await expectCode(w.client.getTokenSilently(), 'network', w.wire);
      expect(refreshBodies(w)).toHaveLength(1);
      expect(await w.client.isAuthenticated()).toBe(true);
      expect(w.events.filter((e) => e.type === 'signed_out')).toEqual([]);
      expect(w.browser.pendingTimers).toBe(0);
    },
  );

  securityCase(['D4', 'F1'], 'a refresh that never answers times out with `timeout`, once, and keeps the session', async () => {
    const w = armed({ useRefreshTokens: true, httpTimeoutInSeconds: 5 });
    await w.login();
    w.browser.advance(EXPIRE);
    let calls = 0;
    w.tab.fetch = (_input, init) =>
      new Promise((_resolve, reject) => {
        calls++;
        init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      });
    const pending = w.client.getTokenSilently();
    // The refresh (and so its 5 s timeout) starts only after real async work: wait for it.
    await w.browser.untilInFlight(1, /grant_type=refresh_token/);
    w.browser.advance(5_000);
    await expectCode(pending, 'timeout', w.wire);
    expect(calls).toBe(1);
    expect(await w.client.isAuthenticated()).toBe(true);
    expect(w.browser.pendingTimers).toBe(0);
  });

  securityCase(
    'D5',
    'a refreshed ID token with another iss, sub, aud or azp is rejected and the session ends in every tab',
    async () => {
      for (const claims of [{ iss: 'https://evil.example/' }, { sub: 'mallory' }, { aud: 'other' }, { azp: 'other' }]) {
        const w = armed({ cacheLocation: 'localstorage', useRefreshTokens: true });
        await w.login();
        const other = w.openTab();
        w.browser.advance(EXPIRE);
        nextTokenBody(w, { id_token: idToken(w, claims), refresh_token: 'rt-next-one' });
        await expectCode(w.client.getTokenSilently(), 'invalid_id_token', w.wire);
        await settle();
        expect(await w.client.isAuthenticated()).toBe(false);
        expect(await other.client.isAuthenticated()).toBe(false);
        expect(sdkKeys(w.browser.local.keys())).toEqual([]);
        expect(w.events).toContainEqual({ type: 'signed_out', reason: 'invalid_grant', fromOtherTab: false });
        expect(other.events).toContainEqual({ type: 'signed_out', reason: 'invalid_grant', fromOtherTab: true });
      }
    },
  );

  securityCase(
    'D6',
    'no refresh token issued: missing_refresh_token, or the iframe when configured; never refresh_token=undefined',
    async () => {
      for (const fallback of [false, true]) {
        const w = armed({ useRefreshTokens: true, useRefreshTokensFallback: fallback });
        const login = await startLogin(w);
        nextTokenBody(w, { id_token: idToken(w, { nonce: login.nonce }), scope: 'openid profile email offline_access' });
        w.tab.url = w.op.callbackUrl(login.url);
        await w.client.handleRedirectCallback();
        w.browser.advance(EXPIRE);
        if (fallback) {
          await w.client.getTokenSilently();
          expect(w.tab.frames).toHaveLength(1);
        } else {
          await expectCode(w.client.getTokenSilently(), 'missing_refresh_token', w.wire);
          expect(w.tab.frames).toHaveLength(0);
        }
        expect(refreshBodies(w)).toEqual([]);
        for (const body of w.wire.tokenRequests) expect(body.toString()).not.toMatch(/undefined|null/);
      }
      const w = armed();
      await w.login();
      await expectCode(
        w.client.getTokenSilently({ renewVia: 'refresh_token', cacheMode: 'off' }),
        'missing_refresh_token',
        w.wire,
      );
      expect(w.wire.tokenRequests).toHaveLength(1);
      expect(ISSUER).toBeTruthy();
    },
  );

  securityCase(
    'D3',
    '4 tabs × 10 concurrent calls × 5 expiries at the seam: one refresh per expiry, all callers get its result',
    async () => {
      const options = { cacheLocation: 'localstorage' as const, useRefreshTokens: true };
      const w = armed(options);
      await w.login();
      const clients = [w.client, ...[1, 2, 3].map(() => w.openTab(options).client)];
      for (let round = 1; round <= 5; round++) {
        w.browser.advance(EXPIRE);
        const tokens = await Promise.all(clients.flatMap((c) => Array.from({ length: 10 }, () => c.getTokenSilently())));
        expect(new Set(tokens).size).toBe(1);
        expect(refreshBodies(w)).toHaveLength(round);
      }
      const used = refreshBodies(w).map((b) => b.get('refresh_token'));
      expect(new Set(used).size).toBe(5);
      expect(w.events.filter((e) => e.type !== 'tokens')).toEqual([]);
    },
  );

  securityCase('D3', 'a tab whose cache read raced another tab’s rotation never writes the old refresh token back', async () => {
    const options = { cacheLocation: 'localstorage' as const, useRefreshTokens: true };
    const w = armed(options);
    await w.login();
    const local = w.browser.local;
    const tokenKey = local.keys().find((k) => !k.endsWith('@@user@@')) as string;
    const before = local.getItem(tokenKey) as string;
    w.browser.advance(200_000);
    // Tab A rotates: RT1 → RT2.
    const a = await w.client.getTokenSilently();
    expect(local.getItem(tokenKey)).not.toBe(before);
    // Tab B read the entry just before A's write landed (a cross-tab interleaving): its read
    // returns the old entry once, its writes go to the shared storage.
    let stale: string | undefined = before;
    const racing: Storage = {
      get length() {
        return local.length;
      },
      clear: () => local.clear(),
      key: (i) => local.key(i),
      removeItem: (k) => local.removeItem(k),
      setItem: (k, v) => local.setItem(k, v),
      getItem: (k) => {
        if (k === tokenKey && stale !== undefined) {
          const value = stale;
          stale = undefined;
          return value;
        }
        return local.getItem(k);
      },
    };
    const tabB = w.openTab().tab;
    const b = new SsoClient({
      issuer: ISSUER,
      clientId: CLIENT_ID,
      authorizationParams: { redirect_uri: REDIRECT_URI },
      ...options,
      platform: { ...tabB.platform, storage: (kind) => (kind === 'local' ? racing : tabB.session) },
    });
    expect(await b.getTokenSilently()).toBe(a);
    // And the stored refresh token is still the rotated one: the next expiry refreshes fine.
    w.browser.advance(200_000);
    await w.client.getTokenSilently();
    const refreshes = w.wire.tokenRequests.filter((r) => r.get('grant_type') === 'refresh_token');
    expect(refreshes).toHaveLength(2);
    expect(new Set(refreshes.map((r) => r.get('refresh_token'))).size).toBe(2);
  });

  securityCase(
    'D3',
    'a tab whose view of localStorage still shows a refresh token another tab just used waits for the new tokens instead of resending it',
    async () => {
      const options = { cacheLocation: 'localstorage' as const, useRefreshTokens: true };
      const w = armed(options);
      await w.login();
      const local = w.browser.local;
      const tokenKey = local.keys().find((k) => !k.endsWith('@@user@@')) as string;
      const before = local.getItem(tokenKey) as string;
      w.browser.advance(200_000);
      const a = await w.client.getTokenSilently();
      // Tab B's copy of localStorage has not caught up with A's write yet (another process), and
      // the lock named after the old refresh token is still held by A.
      let staleReads = 3;
      const lagging: Storage = {
        get length() {
          return local.length;
        },
        clear: () => local.clear(),
        key: (i) => local.key(i),
        removeItem: (k) => local.removeItem(k),
        setItem: (k, v) => local.setItem(k, v),
        getItem: (k) => (k === tokenKey && staleReads-- > 0 ? before : local.getItem(k)),
      };
      const tabB = w.openTab().tab;
      const b = new SsoClient({
        issuer: ISSUER,
        clientId: CLIENT_ID,
        authorizationParams: { redirect_uri: REDIRECT_URI },
        ...options,
        platform: {
          ...tabB.platform,
          storage: (kind) => (kind === 'local' ? lagging : tabB.session),
          claim: async () => undefined,
        },
      });
      // B polls its view of the cache every 20 ms: move the clock each time that poll is armed.
      expect(await w.browser.driveTimers(b.getTokenSilently(), 20)).toBe(a);
      expect(w.wire.tokenRequests.filter((r) => r.get('grant_type') === 'refresh_token')).toHaveLength(1);
      // A view that never catches up: a typed timeout, and still no second use of the token.
      staleReads = Number.POSITIVE_INFINITY;
      w.browser.advance(200_000);
      const alone = b.getTokenSilently().catch((e: { code: string }) => e.code);
      expect(await w.browser.driveTimers(alone, 20)).toBe('timeout');
      expect(w.wire.tokenRequests.filter((r) => r.get('grant_type') === 'refresh_token')).toHaveLength(1);
      expect(w.browser.pendingTimers).toBe(0);
    },
  );
});
