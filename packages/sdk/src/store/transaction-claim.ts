import type { Platform } from '../platform.js';
import { s256 } from '../protocol/authorize.js';

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
