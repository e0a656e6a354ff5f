import { SsoError } from '../errors.js';
import { scopedName } from '../names.js';
import type { StorageLike } from '../platform.js';

/** One authorization request in flight across a redirect: single-use, bound to issuer, client and redirect URI. */
export interface Transaction {
  kind: 'login' | 'silent_redirect';
  state: string;
  nonce: string;
  codeVerifier: string;
  issuer: string;
  clientId: string;
  redirectUri: string;
  audience: string;
  scope: string;
  maxAge?: number;
  appState?: unknown;
  createdAt: number;
}

type Records = Record<string, Transaction>;

const isTransaction = (tx: unknown, state: string): tx is Transaction => {
  if (typeof tx !== 'object' || tx === null) return false;
  const t = tx as Transaction;
  return (
    t.state === state &&
    typeof t.nonce === 'string' &&
    typeof t.codeVerifier === 'string' &&
    typeof t.issuer === 'string' &&
    typeof t.clientId === 'string' &&
    typeof t.redirectUri === 'string' &&
    typeof t.audience === 'string' &&
    typeof t.scope === 'string' &&
    Number.isFinite(t.createdAt)
  );
};

/**
 * Redirect transactions in `sessionStorage` (per tab, so another tab's transaction never
 * matches). Looked up by `state` as an own property only, removed when taken, and swept
 * when older than `ttlMs`. All methods are synchronous so a callback can consume its
 * transaction before its first await.
 */
export class TransactionStore {
  readonly #storage: () => StorageLike | undefined;
  readonly #key: string;
  readonly #now: () => number;
  readonly #ttlMs: number;

  constructor(storage: () => StorageLike | undefined, issuer: string, clientId: string, now: () => number, ttlMs = 15 * 60_000) {
    this.#storage = storage;
    this.#key = scopedName('tx', issuer, clientId);
    this.#now = now;
    this.#ttlMs = ttlMs;
  }

  #read(storage: StorageLike | undefined): Records {
    let records: unknown;
    try {
      records = JSON.parse(storage?.getItem(this.#key) ?? '{}');
    } catch {
      records = {};
    }
    const fresh: Records = Object.create(null);
    if (typeof records !== 'object' || records === null || Array.isArray(records)) return fresh;
    const oldest = this.#now() - this.#ttlMs;
    for (const [state, tx] of Object.entries(records)) {
      if (isTransaction(tx, state) && tx.createdAt >= oldest) fresh[state] = tx;
    }
    return fresh;
  }

  #write(storage: StorageLike | undefined, records: Records): void {
    if (!storage) throw new SsoError('storage_unavailable', 'No sessionStorage for the login');
    try {
      if (Object.keys(records).length === 0) storage.removeItem(this.#key);
      else storage.setItem(this.#key, JSON.stringify(records));
    } catch (cause) {
      throw new SsoError('storage_unavailable', 'Could not store the login transaction', { cause });
    }
  }

  /** Stores a transaction; `storage_unavailable` when it cannot survive the redirect. */
  save(tx: Transaction): void {
    const storage = this.#storage();
    const records = this.#read(storage);
    records[tx.state] = tx;
    this.#write(storage, records);
  }

  /** Whether this tab has a fresh transaction for `state` (a redirect it started itself). */
  has(state: string): boolean {
    return Object.hasOwn(this.#read(this.#storage()), state);
  }

  /**
   * Removes and returns the transaction of `state`, if this tab has a fresh one. Every call
   * rewrites the store, so expired, malformed or corrupt entries go (without `state` too).
   */
  take(state?: string | null): Transaction | undefined {
    const storage = this.#storage();
    const records = this.#read(storage);
    const tx = state && Object.hasOwn(records, state) ? records[state] : undefined;
    if (tx) delete records[tx.state];
    try {
      this.#write(storage, records);
    } catch {
      // Nothing stored means nothing to consume.
    }
    return tx;
  }
}
