import { describe, expect, it } from 'vitest';
import { SingleFlight } from '../../src/store/single-flight.js';
import { type Transaction, TransactionStore } from '../../src/store/transactions.js';
import { MemoryStorage } from '../support/fake-browser.js';

let clock = 1_000_000;
const tx = (state: string): Transaction => ({
  kind: 'login',
  state,
  nonce: 'n',
  codeVerifier: 'v',
  issuer: 'https://op.example/',
  clientId: 'site-a',
  redirectUri: 'https://app/cb',
  audience: 'default',
  scope: 'openid',
  createdAt: clock,
});

/** This client's transactions in `storage` (`undefined`: none available), swept after `ttlMs`. */
const storeOver = (storage: MemoryStorage | undefined, ttlMs?: number) =>
  new TransactionStore(
    () => storage,
    'https://op.example/',
    'site-a',
    () => clock,
    ttlMs,
  );

describe('TransactionStore', () => {
  it('returns a transaction once, then never again (A2)', () => {
    const storage = new MemoryStorage();
    const store = storeOver(storage);
    store.save(tx('s1'));
    store.save(tx('s2'));
    expect(store.take('s1')?.state).toBe('s1');
    expect(store.take('s1')).toBeUndefined();
    expect(store.take('s2')?.state).toBe('s2');
    expect(storage.length).toBe(0);
  });

  it('looks up own properties only (A1)', () => {
    const storage = new MemoryStorage();
    const store = storeOver(storage);
    store.save(tx('s1'));
    for (const state of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
      expect(store.take(state)).toBeUndefined();
    }
    // Even a stored "__proto__" record must have the right shape to count.
    storage.setItem(`sso-spa.tx::https://op.example/::site-a`, '{"__proto__":{"state":"__proto__"}}');
    expect(store.take('__proto__')).toBeUndefined();
  });

  it('sweeps stale transactions and survives corrupt storage (E1)', () => {
    const storage = new MemoryStorage();
    const store = storeOver(storage, 1000);
    store.save(tx('old'));
    clock += 2000;
    expect(store.take('old')).toBeUndefined();
    storage.setItem(`sso-spa.tx::https://op.example/::site-a`, '{corrupt');
    expect(store.take('x')).toBeUndefined();
    store.save(tx('new'));
    expect(store.take('new')?.state).toBe('new');
  });

  it('fails with storage_unavailable when it cannot store (E4)', () => {
    const store = storeOver(undefined);
    expect(() => store.save(tx('s'))).toThrow(expect.objectContaining({ code: 'storage_unavailable' }));
    expect(store.take('s')).toBeUndefined();
  });
});

describe('SingleFlight', () => {
  it('shares one promise per key while it runs and forgets failures', async () => {
    const flights = new SingleFlight();
    let runs = 0;
    const task = () => {
      runs++;
      return new Promise<number>((resolve) => setTimeout(() => resolve(runs), 1));
    };
    const results = await Promise.all([flights.run('a', task), flights.run('a', task), flights.run('b', task)]);
    expect(results).toEqual([2, 2, 2]);
    expect(runs).toBe(2);
    await expect(flights.run('a', () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    expect(await flights.run('a', async () => 'again')).toBe('again');
  });
});
