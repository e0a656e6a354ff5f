import type { ClientContext } from './context.js';
import { FRAME_BLIND, silentCheckName } from './silent-check-mark.js';

/**
 * Keeps the top-level `prompt=none` session check from looping. The mark is set in this
 * tab's sessionStorage before navigating and kept when the provider answers "no session",
 * so the check stays off for the cooldown; an answer that signed the user in replaces it
 * with {@link FRAME_BLIND}, because the next page load of a signed-in user (a reload with a
 * memory cache, a second tab) must be able to check again without a login form.
 */
/** Sets the mark; false when it is set and fresh, or when it cannot be kept (then no redirect). */
export function claimSilentRedirect(ctx: ClientContext): boolean {
  const storage = ctx.platform.storage('session');
  if (!storage) return false;
  const last = Number(storage.getItem(silentCheckName(ctx)) ?? Number.NaN);
  const cooldownMs = (ctx.options.silentRedirectCooldownSeconds ?? 300) * 1000;
  // A mark from the future (clock set back) is stale, not a reason to wait for ever.
  if (Number.isFinite(last) && ctx.now() - last < cooldownMs && ctx.now() >= last) return false;
  try {
    storage.setItem(silentCheckName(ctx), String(ctx.now()));
    return true;
  } catch {
    return false;
  }
}

/**
 * The check found a session: the next page load may check again. Since the top-level check
 * runs only after the hidden iframe found no session, the mark now says that in this tab the
 * iframe cannot see the session (third-party cookies blocked): see silent-check-mark.ts.
 */
export function releaseSilentRedirect(ctx: ClientContext): void {
  try {
    ctx.platform.storage('session')?.setItem(silentCheckName(ctx), FRAME_BLIND);
  } catch {
    // Storage that cannot be written keeps the mark; the cooldown still ends it.
  }
}
