import { SsoError } from '../errors.js';
import type { Platform, StorageLike } from '../platform.js';
import { s256 } from '../protocol/authorize.js';

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
    this.#key = `sso-spa.tx::${issuer}::${clientId}`;
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

/** Prefix of the markers of used transactions in `localStorage`: a hash of the state, never the state. */
export const USED_PREFIX = 'sso-spa.meta.used::';

/**
 * Claims the transaction of `state` once across the origin's tabs, before its code is exchanged.
 * Taking it from sessionStorage is not enough: a duplicated or restored tab carries a copy of
 * sessionStorage, and its second exchange of the same code makes a strict provider revoke the
 * tokens of the first. A Web Lock named after a hash of the state, held through the exchange,
 * covers tabs running at the same time; a marker in `localStorage` (the hash and the time),
 * written before the lock is released, covers a copy handled later, for as long as its
 * transaction could be valid (`ttlMs`). Markers are swept by age.
 * @returns `done(used)`, to call when the exchange is over (`used`: it bought tokens, so it is
 * marked; a copy retrying a failed code can at worst make the provider revoke tokens nobody
 * holds), or `undefined` when another tab has claimed the transaction.
 */
export async function claimTransaction(
  platform: Pick<Platform, 'claim' | 'storage' | 'now'>,
  state: string,
  ttlMs = 15 * 60_000,
): Promise<((used: boolean) => void) | undefined> {
  const key = USED_PREFIX + (await s256(state));
  const release = await platform.claim(key);
  if (!release) return undefined;
  const local = platform.storage('local');
  let seen = false;
  try {
    const oldest = platform.now() - ttlMs;
    for (let i = local?.length ?? 0; i-- > 0; ) {
      const other = local?.key(i);
      if (other?.startsWith(USED_PREFIX) && !(Number(local?.getItem(other)) > oldest)) local?.removeItem(other);
    }
    seen = local?.getItem(key) != null;
  } catch {
    // No localStorage (disabled): the lock alone guards tabs running at the same time.
  }
  if (seen) release(0);
  return seen
    ? undefined
    : (used) => {
        try {
          if (used) local?.setItem(key, String(platform.now()));
        } catch {
          // Storage full or gone: the lock alone guarded this exchange.
        }
        release(0);
      };
}
