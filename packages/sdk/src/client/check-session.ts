import { isNoSessionError, isSsoError } from '../errors.js';
import { isCallbackUrl } from '../protocol/callback.js';
import { toSsoError } from '../protocol/errors.js';
import type { CheckSessionOptions } from '../types.js';
import type { ClientContext } from './context.js';
import { getTokens } from './get-tokens.js';
import { loadChunk } from './load-chunk.js';
import { frameIsBlind } from './silent-check-mark.js';

/**
 * Silent sign-in: cache, refresh token or hidden iframe. "No session" answers sign the site
 * out (a user cached from an earlier visit whose session cannot go on is cleared, so the app
 * never shows a signed-in user it cannot get tokens for) and resolve; other failures are
 * recorded in {@link ClientContext.lastSessionCheck} and thrown. Then, per `checkSessionRedirect`,
 * one top-level `prompt=none` redirect may look for the SSO session where the iframe cannot see
 * it (third-party cookies blocked); it comes back through `handleRedirectCallback` with
 * `sessionCheck` set. A per-tab mark, set before navigating and kept while the answer was
 * "no session", keeps that from ever looping (see silent-redirect-guard.ts). Once that check
 * has found the session in this tab, a page load with nothing cached skips the iframe.
 */
export async function checkSession(ctx: ClientContext, options: CheckSessionOptions = {}): Promise<void> {
  ctx.connect();
  const current = ctx.platform.currentUrl();
  if (current && isCallbackUrl(current)) {
    // In the SDK's own silent frame or popup the response goes to the window that waits for
    // it; on the app's callback page handleRedirectCallback handles it. A check here would
    // race either.
    const flows = await loadChunk(() => import('./flows.js'));
    flows.handOverSilentResponse(ctx, current, (state) => flows.transactionsOf(ctx).has(state));
    return;
  }
  // Read before a stale user is cleared below, which also forgets that this site had one.
  const returning = ctx.returning.get();
  const redirect = options.redirect ?? ctx.options.checkSessionRedirect ?? 'returning';
  const mayRedirect = current !== undefined && (redirect === true || (redirect === 'returning' && returning));
  // Nothing cached (so no refresh token either), and this tab learnt that its iframe cannot
  // see the session: straight to the top-level check, which found it last time.
  const skipFrame = mayRedirect && frameIsBlind(ctx) && !(await ctx.cache.user());
  if (!skipFrame) {
    try {
      await getTokens(ctx, options);
      ctx.reportSessionCheck('signed_in');
      return;
    } catch (error) {
      const typed = toSsoError(error);
      if (!isNoSessionError(typed) && !isSsoError(typed, 'missing_refresh_token', 'invalid_grant')) {
        ctx.reportSessionCheck('failed', typed);
        throw typed;
      }
      if (await ctx.cache.user()) await ctx.clearSession('login_required');
      ctx.reportSessionCheck('signed_out', typed);
    }
    if (!mayRedirect) return;
  }
  const flows = await loadChunk(() => import('./flows.js'));
  if (!flows.claimSilentRedirect(ctx)) {
    if (skipFrame) ctx.reportSessionCheck('signed_out');
    return;
  }
  // The page is about to go: an app that reads this starts no login redirect of its own,
  // which would race this one and abort it.
  ctx.reportSessionCheck('redirecting');
  const here = new URL(current as string);
  await flows.redirectToProvider(ctx, 'silent_redirect', {
    appState: { targetUrl: here.pathname + here.search + here.hash },
    authorizationParams: { ...options.authorizationParams, prompt: 'none' },
  });
}
