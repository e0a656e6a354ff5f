import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { createDpopKeyStore, type DpopKeyStoreOptions } from '../../src/dpop/key-store.js';
import { jwkThumbprint } from '../../src/protocol/dpop.js';

const ISSUER = 'https://op.example/';

/** WebCrypto that counts the keys it generates. */
function countingCrypto() {
  const counter = { generated: 0 };
  const subtle = {
    generateKey: (...args: Parameters<SubtleCrypto['generateKey']>) => {
      counter.generated += 1;
      return crypto.subtle.generateKey(...args);
    },
    exportKey: (format: 'jwk', key: CryptoKey) => crypto.subtle.exportKey(format, key),
  };
  return { counter, crypto: { subtle } as unknown as Crypto };
}

/** One tab's key store; tabs of one origin share `indexedDB`. */
const tab = (indexedDB: IDBFactory | null, more: Partial<DpopKeyStoreOptions> = {}) =>
  createDpopKeyStore({ issuer: ISSUER, clientId: 'site-a', indexedDB, ...more });

/** Signs with one key and verifies with another: true when they are halves of one pair. */
async function samePair(privateKey: CryptoKey, publicKey: CryptoKey): Promise<boolean> {
  const data = new TextEncoder().encode('proof');
  const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, privateKey, data);
  return crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, publicKey, signature, data);
}

/** The records in the fake database, to see how many keys were kept. */
async function storedCount(indexedDB: IDBFactory): Promise<number> {
  const db = await new Promise<IDBDatabase>((resolve) => {
    const request = indexedDB.open('sso-spa-dpop', 1);
    request.onsuccess = () => resolve(request.result);
  });
  const count = await new Promise<number>((resolve) => {
    const request = db.transaction('keys').objectStore('keys').count();
    request.onsuccess = () => resolve(request.result);
  });
  db.close();
  return count;
}

describe('createDpopKeyStore', () => {
  it('creates a non-extractable ECDSA P-256 key in IndexedDB, with its thumbprint', async () => {
    const store = tab(new IDBFactory());
    const key = await store.getKey();
    expect(store.persistent).toBe(true);
    expect(key.privateKey.extractable).toBe(false);
    expect(key.privateKey.algorithm).toEqual({ name: 'ECDSA', namedCurve: 'P-256' });
    expect(key.thumbprint).toBe(await jwkThumbprint(key.jwk));
    expect(await samePair(key.privateKey, key.publicKey)).toBe(true);
  });

  it('gives a second tab the same key, still usable for signing after the structured clone', async () => {
    const indexedDB = new IDBFactory();
    const first = await tab(indexedDB).getKey();
    const second = await tab(indexedDB).getKey();
    expect(second.thumbprint).toBe(first.thumbprint);
    expect(second.privateKey.extractable).toBe(false);
    expect(await samePair(second.privateKey, first.publicKey)).toBe(true);
  });

  it('ends with one key when two tabs create it at once', async () => {
    const indexedDB = new IDBFactory();
    const { counter, crypto } = countingCrypto();
    const [a, b] = await Promise.all([tab(indexedDB, { crypto }).getKey(), tab(indexedDB, { crypto }).getKey()]);
    expect(counter.generated).toBe(2); // both found none and made one: a real race
    expect(a.thumbprint).toBe(b.thumbprint);
    expect(await storedCount(indexedDB)).toBe(1);
    expect((await tab(indexedDB).getKey()).thumbprint).toBe(a.thumbprint);
  });

  it('creates one key for concurrent callers in one page', async () => {
    const { counter, crypto } = countingCrypto();
    const store = tab(new IDBFactory(), { crypto });
    const keys = await Promise.all([store.getKey(), store.getKey(), store.getKey()]);
    expect(new Set(keys.map((key) => key.thumbprint)).size).toBe(1);
    expect(counter.generated).toBe(1);
  });

  it('keeps one key per issuer and client', async () => {
    const indexedDB = new IDBFactory();
    const a = await tab(indexedDB).getKey();
    const b = await tab(indexedDB, { clientId: 'site-b' }).getKey();
    const c = await tab(indexedDB, { issuer: 'https://other.example/' }).getKey();
    expect(new Set([a.thumbprint, b.thumbprint, c.thumbprint]).size).toBe(3);
  });

  it('reset gives a new key, in this tab and in the others', async () => {
    const indexedDB = new IDBFactory();
    const [here, there] = [tab(indexedDB), tab(indexedDB)];
    const before = await here.getKey();
    expect((await there.getKey()).thumbprint).toBe(before.thumbprint);
    await here.reset();
    const after = await here.getKey();
    expect(after.thumbprint).not.toBe(before.thumbprint);
    expect((await there.getKey()).thumbprint).toBe(after.thumbprint);
  });

  it('replaces a record that is not a kept key', async () => {
    const indexedDB = new IDBFactory();
    await tab(indexedDB).getKey();
    const db = await new Promise<IDBDatabase>((resolve) => {
      const request = indexedDB.open('sso-spa-dpop', 1);
      request.onsuccess = () => resolve(request.result);
    });
    const write = db.transaction('keys', 'readwrite');
    write.objectStore('keys').put({ thumbprint: 'planted', jwk: { x: 'x' } }, JSON.stringify([ISSUER, 'site-a']));
    await new Promise((resolve) => {
      write.oncomplete = resolve;
    });
    db.close();
    const key = await tab(indexedDB).getKey();
    expect(key.thumbprint).toBe(await jwkThumbprint(key.jwk));
  });
});

describe('createDpopKeyStore without IndexedDB', () => {
  it('keeps the key in memory for this page, says so, and reset replaces it', async () => {
    const store = tab(null);
    const key = await store.getKey();
    expect(store.persistent).toBe(false);
    expect((await store.getKey()).thumbprint).toBe(key.thumbprint);
    await store.reset();
    expect((await store.getKey()).thumbprint).not.toBe(key.thumbprint);
  });

  it('falls back to memory when IndexedDB cannot be opened', async () => {
    const broken = {
      open: () => {
        throw new DOMException('IndexedDB is disabled', 'InvalidStateError');
      },
    } as unknown as IDBFactory;
    const store = tab(broken);
    const key = await store.getKey();
    expect(store.persistent).toBe(false);
    expect((await store.getKey()).thumbprint).toBe(key.thumbprint);
    await expect(store.reset()).resolves.toBeUndefined();
  });

  it('keeps signing with the key it read when IndexedDB fails later', async () => {
    const indexedDB = new IDBFactory();
    const store = tab(indexedDB);
    const key = await store.getKey();
    // A newer version opened elsewhere closes this page's connection: its next transaction fails.
    await new Promise<void>((resolve) => {
      const upgrade = indexedDB.open('sso-spa-dpop', 2);
      upgrade.onsuccess = () => {
        upgrade.result.close();
        resolve();
      };
    });
    expect((await store.getKey()).thumbprint).toBe(key.thumbprint);
    expect(store.persistent).toBe(false);
  });
});
