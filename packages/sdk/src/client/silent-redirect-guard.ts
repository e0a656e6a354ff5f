import type { ClientCore } from './core.js';

/**
 * Keeps the top-level `prompt=none` session check from looping. The mark is set in this
 * tab's sessionStorage before navigating and kept when the provider answers "no session",
 * so the check stays off for the cooldown; an answer that signed the user in removes it,
 * because the next page load of a signed-in user (a reload with a memory cache, a second
 * tab) must be able to check again without a login form.
 */
const key = (core: ClientCore) => `sso-spa.check::${core.options.issuer}::${core.options.clientId}`;

/** Sets the mark; false when it is set and fresh, or when it cannot be kept (then no redirect). */
export function claimSilentRedirect(core: ClientCore): boolean {
  const storage = core.platform.storage('session');
  if (!storage) return false;
  const last = Number(storage.getItem(key(core)) ?? Number.NaN);
  const cooldownMs = (core.options.silentRedirectCooldownSeconds ?? 300) * 1000;
  // A mark from the future (clock set back) is stale, not a reason to wait for ever.
  if (Number.isFinite(last) && core.now() - last < cooldownMs && core.now() >= last) return false;
  try {
    storage.setItem(key(core), String(core.now()));
    return true;
  } catch {
    return false;
  }
}

/** The check found a session: the next page load may check again. */
export function releaseSilentRedirect(core: ClientCore): void {
  try {
    core.platform.storage('session')?.removeItem(key(core));
  } catch {
    // Storage that cannot be written keeps the mark; the cooldown still ends it.
  }
}
