// Issue 12, storage: entries of the right shape planted in localStorage (another app on the
// origin, an extension, an earlier XSS) and the SDK's own keys holding garbage.
import { describe, expect } from 'vitest';
import { MAX_TOKEN_LIFETIME_MS } from '../../src/store/token-cache.js';
import { REDIRECT_URI } from '../support/fake-op.js';
import { securitySuite } from './cases.js';
import { armed, CLIENT_ID, expectCode, ISSUER, jwt, storedKeys } from './helpers.js';

const securityCase = securitySuite(import.meta.url, 'unit');
const PREFIX = `sso-spa::${ISSUER}::${CLIENT_ID}::`;
const USER_KEY = `${PREFIX}@@user@@`;
const CENTURIES = 300 * 365 * 86_400_000;

/** A signed-in localStorage world, its token entry key and the entries as stored. */
async function signedIn() {
  const w = armed({ cacheLocation: 'localstorage' });
  await w.login();
  const tokenKey = w.browser.local.keys().find((k) => k.startsWith(PREFIX) && k !== USER_KEY) as string;
  const entry = JSON.parse(w.browser.local.getItem(tokenKey) as string);
  const user = JSON.parse(w.browser.local.getItem(USER_KEY) as string);
  return { w, tokenKey, entry, user };
}

describe('(e) planted entries and bad keys', () => {
  securityCase('E6', 'a token entry that disagrees with its own ID token, or outlives it, is deleted and a miss', async () => {
    const { w, tokenKey, entry } = await signedIn();
    const now = Math.floor(w.browser.time / 1000);
    const token = (claims: Record<string, unknown>) =>
      jwt({ iss: ISSUER, aud: CLIENT_ID, sub: 'alice', iat: now, exp: now + 150, ...claims });
    const t = entry.tokens;
    const planted = {
      'another user': { ...entry, sub: 'mallory', tokens: { ...t, sub: 'mallory' } },
      'another user, consistent claims': {
        ...entry,
        sub: 'mallory',
        tokens: { ...t, sub: 'mallory', id_token: token({ sub: 'mallory', iss: 'https://evil.example/' }) },
      },
      'a made-up ID token': { ...entry, tokens: { ...t, id_token: 'not.a.jwt' } },
      'an ID token of another client': { ...entry, tokens: { ...t, id_token: token({ aud: 'other-client' }) } },
      'an ID token of another issuer': { ...entry, tokens: { ...t, id_token: token({ iss: 'https://evil.example/' }) } },
      'an ID token with two audiences': { ...entry, tokens: { ...t, id_token: token({ aud: [CLIENT_ID, 'x'] }) } },
      'an access token valid for centuries': {
        ...entry,
        tokens: { ...t, access_token: 'at-forged', accessTokenExpiresAt: t.receivedAt + CENTURIES },
      },
      'an ID token expiry past its lifetime': { ...entry, tokens: { ...t, idTokenExpiresAt: t.receivedAt + CENTURIES } },
      'both expiries past the cap, with a long-lived ID token': {
        ...entry,
        tokens: {
          ...t,
          id_token: token({ exp: now + CENTURIES / 1000 }),
          idTokenExpiresAt: t.receivedAt + MAX_TOKEN_LIFETIME_MS + 1,
          accessTokenExpiresAt: t.receivedAt + MAX_TOKEN_LIFETIME_MS + 1,
        },
      },
    };
    for (const [name, forged] of Object.entries(planted)) {
      w.browser.local.setItem(tokenKey, JSON.stringify(forged));
      const fresh = w.openTab({ cacheLocation: 'localstorage' });
      expect(await fresh.client.getTokenSilently({ cacheMode: 'cache-only' }), name).toBeUndefined();
      expect(w.browser.local.getItem(tokenKey), name).toBeNull();
    }
    // The real entry is still served (the checks do not refuse what the SDK wrote).
    w.browser.local.setItem(tokenKey, JSON.stringify(entry));
    expect(await w.openTab({ cacheLocation: 'localstorage' }).client.getTokenSilently({ cacheMode: 'cache-only' })).toBe(
      t.access_token,
    );
  });

  securityCase('E6', 'a forged entry under a superset-scope key is not served for a subset request', async () => {
    const { w, tokenKey, entry } = await signedIn();
    const superset = `${PREFIX}default::openid profile email admin`;
    const t = entry.tokens;
    w.browser.local.removeItem(tokenKey);
    for (const tokens of [
      { ...t, access_token: 'at-admin', id_token: jwt({ iss: ISSUER, aud: CLIENT_ID, sub: 'mallory', iat: 1, exp: 2 }) },
      { ...t, access_token: 'at-admin', accessTokenExpiresAt: t.receivedAt + CENTURIES },
    ]) {
      w.browser.local.setItem(superset, JSON.stringify({ ...entry, scope: 'openid profile email admin', tokens }));
      const fresh = w.openTab({ cacheLocation: 'localstorage' });
      expect(await fresh.client.getTokenSilently({ cacheMode: 'cache-only', authorizationParams: { scope: 'openid' } })).toBe(
        undefined,
      );
      expect(w.browser.local.getItem(superset)).toBeNull();
    }
  });

  securityCase(
    'E6',
    'a planted user entry (claims not those of its ID token, another user, a foreign token) is not signed in',
    async () => {
      const { w, user } = await signedIn();
      const now = Math.floor(w.browser.time / 1000);
      const raw = (claims: Record<string, unknown>) =>
        jwt({ iss: ISSUER, aud: CLIENT_ID, sub: 'mallory', iat: now, exp: now + 150, ...claims });
      const planted = {
        'claims edited': { ...user, claims: { ...user.claims, name: 'Mallory', email: 'm@evil.example' } },
        'another user, own raw token missing': { ...user, sub: 'mallory', claims: { ...user.claims, sub: 'mallory' } },
        'a foreign issuer': (() => {
          const token = raw({ iss: 'https://evil.example/' });
          const claims = { iss: 'https://evil.example/', aud: CLIENT_ID, sub: 'mallory', iat: now, exp: now + 150 };
          return { ...user, sub: 'mallory', claims: { ...claims, __raw: token } };
        })(),
        'another client': (() => {
          const token = raw({ aud: 'other' });
          const claims = { iss: ISSUER, aud: 'other', sub: 'mallory', iat: now, exp: now + 150 };
          return { ...user, sub: 'mallory', claims: { ...claims, __raw: token } };
        })(),
      };
      for (const [name, forged] of Object.entries(planted)) {
        w.browser.local.setItem(USER_KEY, JSON.stringify(forged));
        const fresh = w.openTab({ cacheLocation: 'localstorage' });
        expect(await fresh.client.isAuthenticated(), name).toBe(false);
        expect(await fresh.client.getUser(), name).toBeUndefined();
        expect(w.browser.local.getItem(USER_KEY), name).toBeNull();
      }
      // What the SDK wrote still reads back.
      w.browser.local.setItem(USER_KEY, JSON.stringify(user));
      expect((await w.openTab({ cacheLocation: 'localstorage' }).client.getUser())?.sub).toBe('alice');
    },
  );

  securityCase('E6', 'a token lifetime over 24 hours is cut to 24 hours when saved, and still served', async () => {
    const tenDays = 10 * 86_400;
    const w = armed({ cacheLocation: 'localstorage' }, { idTokenSeconds: tenDays, accessTokenSeconds: tenDays });
    await w.login();
    const token = await w.client.getTokenSilently({ cacheMode: 'cache-only' });
    expect(token).toMatch(/^at-/);
    w.browser.advance(MAX_TOKEN_LIFETIME_MS - 120_000);
    expect(await w.client.getTokenSilently({ cacheMode: 'cache-only' })).toBe(token);
    w.browser.advance(120_000);
    expect(await w.client.getTokenSilently({ cacheMode: 'cache-only' })).toBeUndefined();
  });

  securityCase('E7', "the SDK's own keys holding bad JSON or a non-object are deleted; other keys stay", async () => {
    for (const bad of ['{"oops"', '"a string"', '42', 'null', '[1,2]']) {
      const { w } = await signedIn();
      w.browser.local.setItem(USER_KEY, bad);
      w.browser.local.setItem('someone-else', bad);
      const fresh = w.openTab({ cacheLocation: 'localstorage' });
      expect(await fresh.client.isAuthenticated(), bad).toBe(false);
      expect(w.browser.local.getItem(USER_KEY), bad).toBeNull();
      expect(w.browser.local.getItem('someone-else')).toBe(bad);

      // A transactions key holding garbage goes with the next callback, even one without state.
      const txKey = `sso-spa.tx::${ISSUER}::${CLIENT_ID}`;
      fresh.tab.session.setItem(txKey, bad);
      fresh.tab.session.setItem('someone-else', bad);
      fresh.tab.url = `${REDIRECT_URI}?code=c&iss=${encodeURIComponent(ISSUER)}`;
      await expectCode(fresh.client.handleRedirectCallback(), 'state_mismatch', w.wire);
      expect(fresh.tab.session.getItem(txKey), bad).toBeNull();
      expect(fresh.tab.session.getItem('someone-else')).toBe(bad);
      expect(storedKeys(w, fresh.tab).filter((k) => k.startsWith('sso-spa.tx'))).toEqual([]);
    }
  });
});
