// The DPoP key of one issuer and client. Tokens bound to a key (`cnf.jkt`), refresh tokens of a
// public client included, are only good with proofs from that key, so every tab must sign with
// the same one: the key pair lives in IndexedDB, which keeps CryptoKeys by structured clone
// without their private half ever becoming readable (`extractable: false`).
import { DPOP_KEY_ALGORITHM, type DpopSigningKey, exportPublicJwk, jwkThumbprint } from '../protocol/dpop.js';

/** A DPoP key as it is kept: the pair, its public JWK and its RFC 7638 thumbprint. */
export interface DpopKey extends DpopSigningKey {
  /** The public key of the pair. */
  publicKey: CryptoKey;
  /** The key's RFC 7638 thumbprint: the `dpop_jkt` authorization parameter. */
  thumbprint: string;
}

/** Where the key of {@link createDpopKeyStore} lives, and what it is made with. */
export interface DpopKeyStoreOptions {
  /** The provider's issuer: each provider's tokens are bound to a key of their own. */
  issuer: string;
  /** This client: each client's tokens are bound to a key of their own. */
  clientId: string;
  /** IndexedDB; `globalThis.indexedDB` when left out. `null` keeps the key in memory only. */
  indexedDB?: IDBFactory | null | undefined;
  /** WebCrypto; `globalThis.crypto` when left out. */
  crypto?: Crypto | undefined;
}

/** The DPoP key of one issuer and client, shared by every tab of the origin. */
export interface DpopKeyStore {
  /** The key, created on first use; every tab gets the same one, even when two create it at once. */
  getKey(): Promise<DpopKey>;
  /** Deletes the key (at logout), so the next sign-in is bound to a new one. */
  reset(): Promise<void>;
  /**
   * False when IndexedDB is missing or failed: the key then lives only as long as this page,
   * and no other tab can use tokens bound to it.
   */
  readonly persistent: boolean;
}

const DATABASE = 'sso-spa-dpop';
const STORE = 'keys';

/** An IndexedDB request as a promise. */
const settle = <T>(request: IDBRequest<T>): Promise<T> =>
  new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });

/** A transaction's end as a promise: its writes count only once it has completed. */
const completion = (transaction: IDBTransaction): Promise<void> =>
  new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error ?? new Error('IndexedDB transaction aborted'));
  });

function openDatabase(factory: IDBFactory): Promise<IDBDatabase> {
  const request = factory.open(DATABASE, 1);
  request.onupgradeneeded = () => request.result.createObjectStore(STORE);
  return settle(request).then((database) => {
    // A later version opened by another tab must not wait for this page to be closed.
    database.onversionchange = () => database.close();
    return database;
  });
}

/** A record that really is a kept key: anything else (a torn or foreign write) is replaced. */
function isKey(value: unknown): value is DpopKey {
  const key = value as Partial<DpopKey> | undefined;
  return (
    typeof key?.thumbprint === 'string' &&
    typeof key.jwk?.x === 'string' &&
    key.privateKey?.type === 'private' &&
    key.privateKey.extractable === false &&
    key.publicKey?.type === 'public'
  );
}

async function readKey(database: IDBDatabase, id: string): Promise<DpopKey | undefined> {
  const found: unknown = await settle(database.transaction(STORE, 'readonly').objectStore(STORE).get(id));
  return isKey(found) ? found : undefined;
}

/**
 * Stores `created` unless another tab stored a key first, and returns the one kept. The read and
 * the write share one read-write transaction, which IndexedDB runs one at a time per store, so
 * two tabs racing to create a key both end with the first one written.
 */
async function keepFirstKey(database: IDBDatabase, id: string, created: DpopKey): Promise<DpopKey> {
  const transaction = database.transaction(STORE, 'readwrite');
  const done = completion(transaction);
  // Awaited below; this only keeps a failed read from also surfacing as an unhandled rejection.
  done.catch(() => {});
  const store = transaction.objectStore(STORE);
  const existing: unknown = await settle(store.get(id));
  const kept = isKey(existing) ? existing : created;
  if (kept === created) store.put(created, id);
  await done;
  return kept;
}

async function deleteKey(database: IDBDatabase, id: string): Promise<void> {
  const transaction = database.transaction(STORE, 'readwrite');
  transaction.objectStore(STORE).delete(id);
  await completion(transaction);
}

async function createKey(crypto: Crypto): Promise<DpopKey> {
  // Only the private key is non-extractable; WebCrypto always lets the public one be exported.
  const { privateKey, publicKey } = await crypto.subtle.generateKey(DPOP_KEY_ALGORITHM, false, ['sign', 'verify']);
  const jwk = await exportPublicJwk(publicKey, crypto.subtle);
  return { privateKey, publicKey, jwk, thumbprint: await jwkThumbprint(jwk) };
}

/**
 * The DPoP key store of one issuer and client. The key is read from IndexedDB on every
 * {@link DpopKeyStore.getKey}, so a tab never signs with a key that another tab's logout
 * replaced. Where IndexedDB is missing or fails, the key is kept in memory for this page (and
 * `persistent` turns false); a key already read stays in use, so a passing IndexedDB failure
 * does not orphan tokens bound to it.
 */
export function createDpopKeyStore(options: DpopKeyStoreOptions): DpopKeyStore {
  const id = JSON.stringify([options.issuer, options.clientId]);
  const crypto = options.crypto ?? globalThis.crypto;
  const factory = options.indexedDB === undefined ? globalThis.indexedDB : options.indexedDB;
  let database: Promise<IDBDatabase> | undefined;
  let persistent = Boolean(factory);
  let lastKey: Promise<DpopKey> | undefined;
  let pending: Promise<DpopKey> | undefined;

  const connect = (): Promise<IDBDatabase> => {
    database ??= openDatabase(factory as IDBFactory);
    return database;
  };

  const inMemory = (): Promise<DpopKey> => {
    persistent = false;
    lastKey ??= createKey(crypto);
    return lastKey;
  };

  const fromDatabase = async (): Promise<DpopKey> => {
    const db = await connect();
    const key = (await readKey(db, id)) ?? (await keepFirstKey(db, id, await createKey(crypto)));
    lastKey = Promise.resolve(key);
    return key;
  };

  const load = async (): Promise<DpopKey> => {
    if (!persistent) return inMemory();
    try {
      return await fromDatabase();
    } catch {
      database = undefined;
      return inMemory();
    }
  };

  return {
    getKey() {
      // One load at a time in this page: concurrent callers share it rather than each create a key.
      pending ??= load().finally(() => {
        pending = undefined;
      });
      return pending;
    },
    async reset() {
      await pending?.catch(() => {});
      lastKey = undefined;
      if (!factory) return;
      // Tried even after a failure: a key left behind would sign the next page's sign-in.
      try {
        await deleteKey(await connect(), id);
      } catch {
        database = undefined;
        persistent = false;
      }
    },
    get persistent() {
      return persistent;
    },
  };
}
