import { afterEach, describe, expect } from 'vitest';
import { SsoClient } from '../../src/index.js';
import { REDIRECT_URI } from '../support/fake-op.js';
import { securitySuite } from './cases.js';
import { armed, CLIENT_ID, expectCode, ISSUER, storedKeys } from './helpers.js';

const securityCase = securitySuite(import.meta.url, 'unit');
const PREFIX = `sso-spa::${ISSUER}::${CLIENT_ID}::`;
const restore: (() => void)[] = [];
afterEach(() => {
  for (const undo of restore.splice(0)) undo();
});

describe('(e) storage', () => {
  securityCase('E1', 'corrupted JSON in cache entries is a miss, the key is deleted, start-up never throws', async () => {
    const w = armed({ cacheLocation: 'localstorage' });
    await w.login();
    const keys = w.browser.local.keys();
    for (const key of keys) w.browser.local.setItem(key, '{"v":1,"tokens":');
    w.browser.local.setItem(`${PREFIX}default::openid`, '\u0000garbage');
    const fresh = w.openTab({ cacheLocation: 'localstorage' });
    await fresh.client.checkSession();
    // The corrupt entries went; checkSession renewed through the iframe instead.
    expect(fresh.tab.frames).toHaveLength(1);
    expect(w.browser.local.keys().every((k) => !(w.browser.local.getItem(k) ?? '').includes('"tokens":\u0000'))).toBe(true);
    expect(w.browser.local.getItem(`${PREFIX}default::openid`)).toBeNull();
    expect((await fresh.client.getUser())?.sub).toBe('alice');
  });

  securityCase(
    'E1',
    'a corrupted transaction entry fails the callback with state_mismatch, is deleted, and a new login works',
    async () => {
      const w = armed();
      await w.client.loginWithRedirect();
      const key = storedKeys(w).find((k) => k.startsWith('sso-spa.tx::')) as string;
      w.tab.session.setItem(key, '{"oops"');
      w.tab.url = `${REDIRECT_URI}?code=c&state=s&iss=${encodeURIComponent(ISSUER)}`;
      await expectCode(w.client.handleRedirectCallback(), 'state_mismatch', w.wire);
      expect(w.tab.session.getItem(key)).toBeNull();
      expect(w.wire.tokenRequests).toHaveLength(0);
      await w.login();
      expect(await w.client.isAuthenticated()).toBe(true);
    },
  );

  securityCase('E2', "schema-invalid entries and other clients' or issuers' entries are ignored", async () => {
    const w = armed({ cacheLocation: 'localstorage' });
    await w.login();
    const [tokenKey] = w.browser.local.keys().filter((k) => !k.includes('@@user@@'));
    const good = JSON.parse(w.browser.local.getItem(tokenKey as string) as string);
    const variants = [
      { ...good, v: 2 },
      { ...good, issuer: 'https://evil.example/' },
      { ...good, clientId: 'other' },
      { ...good, tokens: { ...good.tokens, access_token: 42 } },
      { ...good, tokens: { ...good.tokens, accessTokenExpiresAt: 'later' } },
      { ...good, refresh_token: { steal: true } },
      [good],
      'string',
    ];
    for (const variant of variants) {
      w.browser.local.setItem(tokenKey as string, JSON.stringify(variant));
      const fresh = w.openTab({ cacheLocation: 'localstorage' });
      expect(await fresh.client.getTokenSilently({ cacheMode: 'cache-only' })).toBeUndefined();
    }
    // Another client's and another issuer's entries, well formed, are never served nor touched.
    w.browser.local.clear();
    const foreign = [
      [`sso-spa::${ISSUER}::other-client::default::openid profile email`, { ...good, clientId: 'other-client' }],
      [
        `sso-spa::https://evil.example/::${CLIENT_ID}::default::openid profile email`,
        { ...good, issuer: 'https://evil.example/' },
      ],
    ] as const;
    for (const [key, entry] of foreign) w.browser.local.setItem(key, JSON.stringify(entry));
    const fresh = w.openTab({ cacheLocation: 'localstorage' });
    expect(await fresh.client.getTokenSilently({ cacheMode: 'cache-only' })).toBeUndefined();
    expect(await fresh.client.isAuthenticated()).toBe(false);
    for (const [key] of foreign) expect(w.browser.local.getItem(key)).not.toBeNull();
  });

  securityCase('E2', 'an entry of another audience or scope planted under this key is ignored and removed', async () => {
    for (const change of [{ audience: 'https://other-api.example' }, { scope: 'openid admin' }]) {
      const w = armed({ cacheLocation: 'localstorage' });
      await w.login();
      const [tokenKey] = w.browser.local.keys().filter((k) => !k.includes('@@user@@'));
      const good = JSON.parse(w.browser.local.getItem(tokenKey as string) as string);
      w.browser.local.setItem(tokenKey as string, JSON.stringify({ ...good, ...change }));
      const fresh = w.openTab({ cacheLocation: 'localstorage' });
      expect(await fresh.client.getTokenSilently({ cacheMode: 'cache-only' })).toBeUndefined();
      expect(w.browser.local.getItem(tokenKey as string)).toBeNull();
    }
  });

  securityCase('E3', 'QuotaExceededError on write falls back to memory and tokens are still served', async () => {
    const w = armed({ cacheLocation: 'localstorage' });
    w.browser.local.failWrites = true;
    await w.login();
    const token = await w.client.getTokenSilently();
    expect(token).toMatch(/^at-/);
    expect(await w.client.getTokenSilently()).toBe(token);
    expect(w.tab.frames).toHaveLength(0);
    expect(await w.client.isAuthenticated()).toBe(true);
    expect(w.browser.local.keys()).toEqual([]);
  });

  securityCase(
    'E4',
    'storage disabled (SecurityError): memory cache works, a redirect login fails fast with storage_unavailable',
    async () => {
      const w = armed();
      const denied = () => {
        throw new DOMException('The operation is insecure.', 'SecurityError');
      };
      for (const name of ['localStorage', 'sessionStorage']) {
        Object.defineProperty(globalThis, name, { get: denied, configurable: true });
        restore.push(() => delete (globalThis as Record<string, unknown>)[name]);
      }
      // The browser's own storage lookup (no storage override in the seam).
      const { storage: _seam, ...platform } = w.tab.platform;
      const client = new SsoClient({
        issuer: ISSUER,
        clientId: CLIENT_ID,
        cacheLocation: 'localstorage',
        authorizationParams: { redirect_uri: REDIRECT_URI },
        platform,
      });
      await expectCode(client.loginWithRedirect(), 'storage_unavailable', w.wire);
      expect(w.tab.navigations).toEqual([]);
      // Silent sign-in needs no storage: tokens land in the memory fallback and are served.
      await client.checkSession();
      const token = await client.getTokenSilently();
      expect(await client.getTokenSilently()).toBe(token);
      expect(w.tab.frames).toHaveLength(1);
      expect(await client.isAuthenticated()).toBe(true);
    },
  );

  securityCase(
    'E5',
    'after the callback and after logout no verifier, nonce, state or token is left; none in a URL',
    async () => {
      const w = armed({ cacheLocation: 'localstorage', useRefreshTokens: true });
      await w.login();
      expect(storedKeys(w).filter((k) => k.startsWith('sso-spa.tx'))).toEqual([]);
      w.browser.advance(200_000);
      await w.client.getTokenSilently();
      await w.client.logout({ logoutParams: { returnTo: 'https://app.example/' } });
      expect(storedKeys(w)).toEqual([]);
      const urls = [...w.tab.navigations, ...w.tab.replaced, w.tab.url];
      const idTokens = [...w.wire.secrets].filter((s) => s.startsWith('ey'));
      for (const secret of w.wire.secrets) {
        if (idTokens.includes(secret)) continue; // id_token_hint on logout is the protocol's (G3)
        for (const url of urls) expect(url.includes(secret)).toBe(false);
      }
      const logoutUrl = new URL(w.tab.navigations.at(-1) as string);
      expect([...logoutUrl.searchParams.keys()].sort()).toEqual(['client_id', 'id_token_hint', 'post_logout_redirect_uri']);
    },
  );
});
