import { isNoSessionError, SsoError } from '../errors.js';
import { checkAuthorizationResponse, checkNoRepeats, cleanedUrl, responseParams } from '../protocol/callback.js';
import { silentRequestError, toSsoError } from '../protocol/errors.js';
import { claimTransaction, type Transaction } from '../store/transactions.js';
import type { PopupLoginOptions, RedirectLoginOptions, RedirectLoginResult } from '../types.js';
import { prepareAuthorization, redeemCode } from './authorization-request.js';
import type { ClientContext } from './context.js';
import { roundTrip } from './round-trip.js';
import { handOverSilentResponse } from './silent-frame.js';
import { releaseSilentRedirect } from './silent-redirect-guard.js';

/**
 * Starts a top-level authorization request: stores a single-use transaction (fails fast with
 * `storage_unavailable` when it cannot survive the redirect) and navigates.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#CodeFlowAuth
 */
export async function redirectToProvider(
  ctx: ClientContext,
  kind: Transaction['kind'],
  options: RedirectLoginOptions,
): Promise<void> {
  const request = await prepareAuthorization(ctx, options.authorizationParams);
  const { secrets } = request;
  ctx.transactions.save({
    // A top-level prompt=none request is a session check whoever starts it: its "no session"
    // answer resolves `sessionCheck: 'no_session'` instead of failing the callback.
    kind: new URL(request.url).searchParams.get('prompt') === 'none' ? 'silent_redirect' : kind,
    state: secrets.state,
    nonce: secrets.nonce,
    codeVerifier: secrets.codeVerifier,
    issuer: ctx.options.issuer,
    clientId: ctx.options.clientId,
    redirectUri: request.redirectUri,
    audience: request.audience,
    scope: request.scope,
    ...(request.maxAge === undefined ? {} : { maxAge: request.maxAge }),
    ...(options.appState === undefined ? {} : { appState: options.appState }),
    createdAt: ctx.now(),
  });
  await (options.openUrl ?? ctx.platform.navigate)(request.url);
}

/**
 * Completes a redirect login. The response parameters leave the address bar and the
 * transaction is consumed before the first await, so a reload or the back button replays
 * nothing; any failure stores nothing.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthResponseValidation
 */
export async function handleCallback(ctx: ClientContext, url?: string): Promise<RedirectLoginResult> {
  // The SDK's own silent frame or popup: the waiting window takes the response and removes
  // this page, so the app's callback handling never runs (and never settles) here.
  if (handOverSilentResponse(ctx)) return new Promise<never>(() => {});
  const current = ctx.platform.currentUrl();
  const href = url ?? current;
  if (!href) throw new SsoError('invalid_options', 'No callback URL');
  const params = responseParams(href);
  const clean = current ? cleanedUrl(current) : undefined;
  if (clean) ctx.platform.replaceUrl(clean);
  // Every state's transaction is consumed, so a repeated state leaves none behind; without a
  // state the store is still rewritten, dropping corrupt entries.
  const [state, ...others] = params.getAll('state');
  const tx = ctx.transactions.take(state);
  for (const other of others) ctx.transactions.take(other);
  checkNoRepeats(params);
  if (!tx || tx.issuer !== ctx.options.issuer || tx.clientId !== ctx.options.clientId) {
    throw new SsoError('state_mismatch', 'No matching login transaction');
  }
  const silent = tx.kind === 'silent_redirect';
  const appState = tx.appState === undefined ? {} : { appState: tx.appState };
  let done: ((used: boolean) => void) | undefined;
  let used = false;
  try {
    // A copy of this tab (duplicated, restored) holds a copy of the transaction: only one of
    // them may exchange the code.
    done = await claimTransaction(ctx.platform, tx.state);
    if (!done) throw new SsoError('state_mismatch', 'Login response already handled');
    const provider = await ctx.provider();
    const checked = checkAuthorizationResponse(provider.as, params, tx.state);
    const set = await redeemCode(ctx, provider, checked, tx);
    await ctx.store(set, silent ? 'silent_redirect' : 'redirect', tx.audience, tx.scope);
    used = true;
    if (silent) {
      releaseSilentRedirect(ctx);
      ctx.reportSessionCheck('signed_in');
    }
    return { ...appState, ...(silent ? { sessionCheck: 'signed_in' as const } : {}) };
  } catch (error) {
    const typed = silent ? silentRequestError(error) : toSsoError(error);
    ctx.forgetProvider(typed);
    if (silent && isNoSessionError(typed)) {
      // The provider has no session for this browser: stop looking for one on later loads.
      ctx.returning = false;
      ctx.reportSessionCheck('signed_out', typed);
      return { ...appState, sessionCheck: 'no_session' };
    }
    throw typed;
  } finally {
    done?.(used);
  }
}

/**
 * Logs in through a popup; the response comes back by `web_message` or through the
 * silent-callback page.
 */
export async function popupLogin(
  ctx: ClientContext,
  options: PopupLoginOptions,
  popup: Window,
  closePopup = true,
): Promise<void> {
  try {
    await roundTrip(ctx, {
      source: 'popup',
      params: options.authorizationParams ?? {},
      timeoutMs: (options.timeoutInSeconds ?? ctx.options.authorizeTimeoutInSeconds ?? 60) * 1000,
      navigate: (request) => ctx.platform.popup({ ...request, popup, closePopup }),
    });
  } catch (error) {
    // The window was opened in the click, before discovery or the redirect URI could fail.
    try {
      if (closePopup && !popup.closed) popup.close();
    } catch {
      // Already gone.
    }
    throw error;
  }
}
