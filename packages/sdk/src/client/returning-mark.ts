import { scopedName } from '../names.js';
import type { StorageLike } from '../platform.js';

/**
 * Whether this site signed a user in before in this browser, and nobody signed out since: a
 * non-secret mark in localStorage that lets a reload or a new tab look for the SSO session
 * with a top-level redirect without bouncing anonymous visitors through the provider.
 */
export class ReturningMark {
  readonly #storage: () => StorageLike | undefined;
  readonly #key: string;

  constructor(storage: () => StorageLike | undefined, issuer: string, clientId: string) {
    this.#storage = storage;
    this.#key = scopedName('meta.returning', issuer, clientId);
  }

  get(): boolean {
    try {
      return this.#storage()?.getItem(this.#key) === '1';
    } catch {
      return false;
    }
  }

  set(value: boolean): void {
    try {
      if (value === this.get()) return;
      if (value) this.#storage()?.setItem(this.#key, '1');
      else this.#storage()?.removeItem(this.#key);
    } catch {
      // Without storage a reload simply does not look for the session by redirect.
    }
  }
}
