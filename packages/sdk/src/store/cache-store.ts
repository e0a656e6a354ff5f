import type { StorageLike } from '../platform.js';
/**
 * Where the token cache keeps its entries. Implement it to keep tokens elsewhere (e.g. an
 * encrypted IndexedDB store); values are plain JSON-compatible objects, keys start with
 * `sso-spa::`. Entries it returns are validated: anything malformed counts as a miss.
 * Compatible with `@auth0/auth0-spa-js`'s `ICache` (`get`, `set`, `remove`, `allKeys`).
 */
export interface CustomCache {
  /** The entry stored under `key`, or `undefined`. */
  get(key: string): unknown | Promise<unknown>;
  /** Stores `entry` (a JSON-serialisable object) under `key`, replacing any previous one. */
  set(key: string, entry: unknown): void | Promise<void>;
  /** Deletes the entry under `key`, if any. */
  remove(key: string): void | Promise<void>;
  /** Every key it holds; needed for scope-subset hits and for clearing every entry. */
  allKeys?(): string[] | Promise<string[]>;
}

/** Prefix of every key the SDK writes. */
export const KEY_PREFIX = 'sso-spa::';

/** The default cache: lost on reload, private to the tab. */
export class MemoryCache implements CustomCache {
  #entries = new Map<string, unknown>();
  get(key: string): unknown {
    return this.#entries.get(key);
  }
  set(key: string, entry: unknown): void {
    this.#entries.set(key, entry);
  }
  remove(key: string): void {
    this.#entries.delete(key);
  }
  allKeys(): string[] {
    return [...this.#entries.keys()];
  }
}

/**
 * `localStorage` (or `sessionStorage`): survives reloads. Corrupt JSON is a miss and its key
 * is deleted. When a write fails (quota) the entry is kept in memory instead, so tokens are
 * still served, and the stale stored one is removed; what another tab stores under the key
 * later is newer than that memory copy and wins over it.
 */
export class LocalStorageCache implements CustomCache {
  readonly #storage: StorageLike | undefined;
  readonly #fallback = new MemoryCache();
  /** The last text read per key and what it parsed to: unchanged text gives the same object. */
  readonly #parsed = new Map<string, { raw: string; entry: unknown }>();
  constructor(storage: StorageLike | undefined) {
    this.#storage = storage;
  }
  get(key: string): unknown {
    let raw: string | null = null;
    try {
      raw = this.#storage?.getItem(key) ?? null;
      if (raw === null) return this.#fallback.get(key);
      const known = this.#parsed.get(key);
      if (known?.raw === raw) return known.entry;
      const entry: unknown = JSON.parse(raw);
      this.#fallback.remove(key);
      this.#parsed.set(key, { raw, entry });
      return entry;
    } catch {
      if (raw !== null) this.remove(key);
      return raw === null ? this.#fallback.get(key) : undefined;
    }
  }
  set(key: string, entry: unknown): void {
    try {
      if (!this.#storage) throw new Error('no storage');
      this.#storage.setItem(key, JSON.stringify(entry));
      this.#fallback.remove(key);
    } catch {
      this.#fallback.set(key, entry);
      try {
        // The stored entry is now older than the memory copy (a rotated refresh token may be
        // in it): remove it, so that only another tab's later write can take precedence.
        this.#storage?.removeItem(key);
      } catch {
        // Storage gone altogether: memory is all there is.
      }
    }
  }
  remove(key: string): void {
    this.#fallback.remove(key);
    this.#parsed.delete(key);
    try {
      this.#storage?.removeItem(key);
    } catch {
      // Storage gone: nothing to remove.
    }
  }
  allKeys(): string[] {
    const keys = new Set(this.#fallback.allKeys());
    try {
      const storage = this.#storage;
      for (let i = 0; storage && i < storage.length; i++) {
        const key = storage.key(i);
        if (key?.startsWith(KEY_PREFIX)) keys.add(key);
      }
    } catch {
      // Storage gone: the fallback keys are all there is.
    }
    return [...keys];
  }
}
