import { isSsoError } from '../errors.js';
import { isCallbackUrl } from '../protocol/callback.js';
import { toSsoError } from '../protocol/errors.js';
import type { CheckSessionOptions } from '../types.js';
import type { ClientCore } from './core.js';
import { NO_SESSION, redirectToProvider } from './login.js';
import { getTokens } from './renew.js';

/** Errors `checkSession` treats as "signed out" instead of failing. */
const SIGNED_OUT = [...NO_SESSION, 'missing_refresh_token', 'invalid_grant'] as const;

/**
 * Silent sign-in: cache, refresh token or hidden iframe. "No session" answers are swallowed.
 * With `redirect`, a site with no local session whose silent attempt found none (which is
 * what a blocked third-party cookie looks like) tries one top-level `prompt=none` redirect
 * that comes back through `handleRedirectCallback` with `sessionCheck` set. A per-tab
 * cooldown, set before navigating, keeps that from ever looping.
 */
export async function checkSession(core: ClientCore, options: CheckSessionOptions = {}): Promise<void> {
  core.connect();
  const current = core.platform.currentUrl();
  // The callback page is handled by handleRedirectCallback; a check here would race it.
  if (current && isCallbackUrl(current)) return;
  try {
    await getTokens(core, options);
    return;
  } catch (error) {
    const typed = toSsoError(error);
    if (!isSsoError(typed, ...SIGNED_OUT)) throw typed;
  }
  const redirect = options.redirect ?? core.options.checkSessionRedirect === true;
  if (!redirect || !current || (await core.cache.user())) return;
  const guardKey = `sso-spa.check::${core.options.issuer}::${core.options.clientId}`;
  const storage = core.platform.storage('session');
  const last = Number(storage?.getItem(guardKey) ?? Number.NaN);
  const cooldownMs = (core.options.silentRedirectCooldownSeconds ?? 300) * 1000;
  if (!storage || (Number.isFinite(last) && core.now() - last < cooldownMs && core.now() >= last)) return;
  try {
    storage.setItem(guardKey, String(core.now()));
  } catch {
    return;
  }
  const here = new URL(current);
  await redirectToProvider(core, 'silent_redirect', {
    appState: { targetUrl: here.pathname + here.search + here.hash },
    authorizationParams: { ...options.authorizationParams, prompt: 'none' },
  });
}
