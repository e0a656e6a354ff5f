import { isSsoError } from '../errors.js';
import { isCallbackUrl } from '../protocol/callback.js';
import { toSsoError } from '../protocol/errors.js';
import type { CheckSessionOptions } from '../types.js';
import type { ClientCore } from './core.js';
import { NO_SESSION, redirectToProvider } from './login.js';
import { getTokens } from './renew.js';
import { claimSilentRedirect } from './silent-redirect-guard.js';

/** Errors `checkSession` treats as "signed out" instead of failing. */
const SIGNED_OUT = [...NO_SESSION, 'missing_refresh_token', 'invalid_grant'] as const;

/**
 * Silent sign-in: cache, refresh token or hidden iframe. "No session" answers are swallowed.
 * With `redirect`, a site with no local session whose silent attempt found none (which is
 * what a blocked third-party cookie looks like) tries one top-level `prompt=none` redirect
 * that comes back through `handleRedirectCallback` with `sessionCheck` set. A per-tab
 * mark, set before navigating and kept while the answer was "no session", keeps that from
 * ever looping (see silent-redirect-guard.ts).
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
  if (!claimSilentRedirect(core)) return;
  const here = new URL(current);
  await redirectToProvider(core, 'silent_redirect', {
    appState: { targetUrl: here.pathname + here.search + here.hash },
    authorizationParams: { ...options.authorizationParams, prompt: 'none' },
  });
}
