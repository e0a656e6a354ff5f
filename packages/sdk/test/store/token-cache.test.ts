import { describe, expect, it } from 'vitest';
import type { TokenSet } from '../../src/protocol/token.js';
import { type CustomCache, LocalStorageCache, MemoryCache } from '../../src/store/cache-store.js';
import { TokenCache } from '../../src/store/token-cache.js';
import { MemoryStorage } from '../support/fake-browser.js';

const ISSUER = 'https://op.example/';
let clock = 1_000_000;
const now = () => clock;

function set(
  sub = 'alice',
  { idSeconds = 100, atSeconds = 300, refresh }: { idSeconds?: number; atSeconds?: number; refresh?: string } = {},
): TokenSet {
  // The cache checks each entry against its own ID token, so the token carries these claims.
  const claims = { iss: ISSUER, sub, aud: 'site-a', iat: 5, exp: 5 + idSeconds, jti: `${clock}` };
  const idToken = `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;
  return {
    access_token: `at-${sub}-${clock}`,
    id_token: idToken,
    token_type: 'Bearer',
    expires_in: atSeconds,
    ...(refresh ? { refresh_token: refresh } : {}),
    claims: { ...claims, __raw: idToken },
  };
}

const cache = (store: CustomCache = new MemoryCache(), margin = 60) => new TokenCache(store, ISSUER, 'site-a', now, margin);

describe('TokenCache', () => {
  it('drops the pair when the shorter-lived token enters the renewal margin', async () => {
    const c = cache();
    await c.save('api', 'openid', set('alice', { idSeconds: 100, atSeconds: 300 }), clock);
    clock += 89_999;
    expect((await c.get('api', 'openid')).tokens).toBeDefined();
    clock += 1;
    expect((await c.get('api', 'openid')).tokens).toBeUndefined();
    clock += 1_000_000;
  });

  it('caps the margin at 60 s for long-lived tokens', async () => {
    const c = cache();
    await c.save('api', 'openid', set('alice', { idSeconds: 3600, atSeconds: 3600 }), clock);
    clock += 3_539_000;
    expect((await c.get('api', 'openid')).tokens).toBeDefined();
    clock += 1_000;
    expect((await c.get('api', 'openid')).tokens).toBeUndefined();
  });

  it('keeps the refresh token when the pair expires, and keeps the old one when none is rotated in (D1)', async () => {
    const c = cache();
    await c.save('api', 'openid', set('alice', { refresh: 'rt-1' }), clock);
    clock += 200_000;
    expect(await c.get('api', 'openid')).toEqual({ key: c.key('api', 'openid'), refreshToken: 'rt-1' });
    await c.save('api', 'openid', set('alice'), clock);
    expect((await c.get('api', 'openid')).refreshToken).toBe('rt-1');
    await c.save('api', 'openid', set('alice', { refresh: 'rt-2' }), clock);
    expect((await c.get('api', 'openid')).refreshToken).toBe('rt-2');
  });

  it('never writes back what it read: another tab’s rotated refresh token survives a concurrent read (D3)', async () => {
    // Two tabs share one store. Tab 1 reads the expired entry (outside the cross-tab lock)
    // while tab 2, holding the lock, stores the rotated refresh token.
    const shared = new MemoryCache();
    const tab1 = cache(shared);
    const tab2 = cache(shared);
    await tab2.save('api', 'openid', set('alice', { refresh: 'rt-1' }), clock);
    clock += 200_000;
    const store = shared as CustomCache;
    const realGet = store.get.bind(store);
    let rotateDuringRead: (() => Promise<void>) | undefined = () =>
      tab2.save('api', 'openid', set('alice', { refresh: 'rt-2' }), clock).then(() => undefined);
    store.get = async (key: string) => {
      const value = await realGet(key);
      const rotate = rotateDuringRead;
      rotateDuringRead = undefined;
      await rotate?.();
      return value;
    };
    expect((await tab1.get('api', 'openid')).refreshToken).toBe('rt-1');
    store.get = realGet;
    expect(await tab2.get('api', 'openid')).toMatchObject({ refreshToken: 'rt-2', tokens: expect.any(Object) });
  });

  it('is a hit for a subset of cached scopes of the same audience only', async () => {
    const c = cache();
    await c.save('api', 'openid profile read', set(), clock);
    expect((await c.get('api', 'openid read')).tokens).toBeDefined();
    expect((await c.get('api', 'openid write')).tokens).toBeUndefined();
    expect((await c.get('other', 'openid')).tokens).toBeUndefined();
  });

  it('purges every entry when another user signs in', async () => {
    const store = new MemoryCache();
    const c = cache(store);
    await c.save('api', 'openid', set('alice', { refresh: 'rt-a' }), clock);
    await c.save('other', 'openid', set('alice'), clock);
    const result = await c.save('api', 'openid', set('bob'), clock);
    expect(result.userChanged).toBe(true);
    expect((await c.get('other', 'openid')).tokens).toBeUndefined();
    expect((await c.get('api', 'openid')).refreshToken).toBeUndefined();
    expect((await c.user())?.sub).toBe('bob');
  });

  it('survives a reload in localStorage and ignores corrupt and foreign entries (E1, E2)', async () => {
    const storage = new MemoryStorage();
    const first = cache(new LocalStorageCache(storage));
    await first.save('api', 'openid', set(), clock);
    const reloaded = cache(new LocalStorageCache(storage));
    expect((await reloaded.get('api', 'openid')).tokens?.access_token).toMatch(/^at-alice/);
    expect((await reloaded.user())?.sub).toBe('alice');

    const key = first.key('api', 'openid');
    storage.setItem(key, '{not json');
    expect((await reloaded.get('api', 'openid')).tokens).toBeUndefined();
    expect(storage.getItem(key)).toBeNull();

    const other = new TokenCache(new LocalStorageCache(storage), ISSUER, 'site-b', now, 60);
    await other.save('api', 'openid', set('carol'), clock);
    expect((await reloaded.get('api', 'openid')).tokens).toBeUndefined();
    const foreign = JSON.parse(storage.getItem(other.key('api', 'openid')) as string);
    storage.setItem(key, JSON.stringify(foreign));
    expect((await reloaded.get('api', 'openid')).tokens).toBeUndefined();
    storage.setItem(
      key,
      JSON.stringify({ v: 1, issuer: ISSUER, clientId: 'site-a', scope: 'openid', tokens: { access_token: 1 } }),
    );
    expect((await reloaded.get('api', 'openid')).tokens).toBeUndefined();
    storage.setItem(`sso-spa::${ISSUER}::site-a::@@user@@`, '"x"');
    expect(await reloaded.user()).toBeUndefined();
  });

  it('falls back to memory when localStorage is full or disabled, and still serves tokens (E3, E4)', async () => {
    const storage = new MemoryStorage();
    storage.failWrites = true;
    const c = cache(new LocalStorageCache(storage));
    await c.save('api', 'openid', set(), clock);
    expect((await c.get('api', 'openid')).tokens).toBeDefined();
    const disabled = cache(new LocalStorageCache(undefined));
    await disabled.save('api', 'openid', set(), clock);
    expect((await disabled.get('api', 'openid')).tokens).toBeDefined();
    await disabled.clear();
    expect(await disabled.user()).toBeUndefined();
  });

  it('after a failed write serves its memory copy, then another tab’s later write (E3)', async () => {
    const storage = new MemoryStorage();
    const a = cache(new LocalStorageCache(storage));
    const b = cache(new LocalStorageCache(storage));
    await a.save('api', 'openid', set('alice', { refresh: 'rt-1' }), clock);
    storage.failWrites = true;
    await a.save('api', 'openid', set('alice', { refresh: 'rt-2' }), clock);
    // The stored entry held the refresh token rt-2 replaced: it must not be served again.
    expect((await a.get('api', 'openid')).refreshToken).toBe('rt-2');
    expect(storage.getItem(a.key('api', 'openid'))).toBeNull();
    storage.failWrites = false;
    await b.save('api', 'openid', set('alice', { refresh: 'rt-3' }), clock);
    expect((await a.get('api', 'openid')).refreshToken).toBe('rt-3');
  });

  it('leaves an entry of a newer SDK version alone: a miss, never deleted (a deploy with tabs on both versions)', async () => {
    const storage = new MemoryStorage();
    const c = cache(new LocalStorageCache(storage));
    const key = c.key('api', 'openid');
    const userKey = `sso-spa::${ISSUER}::site-a::@@user@@`;
    const newer = JSON.stringify({ v: 2, issuer: ISSUER, clientId: 'site-a', refresh: { token: 'rt-new-tab' } });
    storage.setItem(key, newer);
    storage.setItem(userKey, newer);
    expect(await c.get('api', 'openid')).toEqual({ key });
    expect(await c.user()).toBeUndefined();
    expect(storage.getItem(key)).toBe(newer);
    expect(storage.getItem(userKey)).toBe(newer);
    // An entry of this version that fails its checks is still deleted.
    storage.setItem(key, JSON.stringify({ v: 1, issuer: ISSUER, clientId: 'site-a' }));
    await c.get('api', 'openid');
    expect(storage.getItem(key)).toBeNull();
  });

  it('answers a repeated hit from the entry it checked, and sees another tab’s write or a planted entry at once', async () => {
    const storage = new MemoryStorage();
    const a = cache(new LocalStorageCache(storage));
    const b = cache(new LocalStorageCache(storage));
    await a.save('api', 'openid', set('alice'), clock);
    const first = (await a.get('api', 'openid')).tokens;
    expect(a.peek('api', 'openid')).toBe(first);
    clock += 1;
    await b.save('api', 'openid', set('alice'), clock);
    expect(a.peek('api', 'openid')).toBeUndefined();
    expect((await a.get('api', 'openid')).tokens?.access_token).toBe(`at-alice-${clock}`);
    // An entry planted for another user under the same key is checked afresh, and refused.
    const key = a.key('api', 'openid');
    const planted = JSON.parse(storage.getItem(key) as string);
    storage.setItem(key, JSON.stringify({ ...planted, sub: 'mallory', tokens: { ...planted.tokens, sub: 'mallory' } }));
    expect(a.peek('api', 'openid')).toBeUndefined();
    expect((await a.get('api', 'openid')).tokens).toBeUndefined();
  });

  it('never answers a hit without an await from a custom cache', async () => {
    const c = cache({ get: async () => undefined, set: () => {}, remove: () => {} });
    expect(c.peek('api', 'openid')).toBeUndefined();
  });

  it('works with a custom cache without allKeys and clears what it wrote', async () => {
    const map = new Map<string, unknown>();
    const custom: CustomCache = {
      get: async (k) => structuredClone(map.get(k)),
      set: async (k, v) => void map.set(k, structuredClone(v)),
      remove: async (k) => void map.delete(k),
    };
    const c = cache(custom);
    await c.save('api', 'openid', set(), clock);
    expect((await c.get('api', 'openid')).tokens).toBeDefined();
    await c.clear();
    expect(map.size).toBe(0);
  });

  it('clear(sub) removes only that user’s entries', async () => {
    const store = new MemoryCache();
    const c = cache(store);
    await c.save('api', 'openid', set('bob'), clock);
    await c.clear('alice');
    expect((await c.get('api', 'openid')).tokens).toBeDefined();
    await c.clear('bob');
    expect(store.allKeys()).toEqual([]);
  });

  it('does not trust a pair when the clock went far backwards', async () => {
    const c = cache();
    await c.save('api', 'openid', set(), clock);
    clock -= 3_600_000;
    expect((await c.get('api', 'openid')).tokens).toBeUndefined();
    clock += 3_600_000;
  });
});
