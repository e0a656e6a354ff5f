import { isNoSessionError, SsoError } from '../errors.js';
import { checkAuthorizationResponse } from '../protocol/authorization-response.js';
import { checkNoRepeats } from '../protocol/callback.js';
import { silentRequestError, toSsoError } from '../protocol/errors.js';
import { claimTransaction } from '../store/transaction-claim.js';
import type { Transaction } from '../store/transactions.js';
import type { PopupLoginOptions, RedirectLoginOptions, RedirectLoginResult } from '../types.js';
import { prepareAuthorization } from './authorization-request.js';
import type { ClientContext } from './context.js';
import { type TakenCallback, transactionsOf } from './redirect-transactions.js';
import { roundTrip } from './round-trip.js';
import { handOverSilentResponse } from './silent-frame.js';
import { releaseSilentRedirect } from './silent-redirect-guard.js';
import { redeemCode, storeTokens } from './token-response.js';

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
  transactionsOf(ctx).save({
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
 * Completes a redirect login taken by {@link takeCallback}: only one copy of this tab may
 * exchange the code; any failure stores nothing.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthResponseValidation
 */
export async function completeCallback(ctx: ClientContext, { href, params, tx }: TakenCallback): Promise<RedirectLoginResult> {
  if (!tx) {
    // The SDK's own silent frame or popup: the waiting window takes the response and removes
    // this page, so the app's callback handling never runs (and never settles) here.
    if (handOverSilentResponse(ctx, href, () => false)) return new Promise<never>(() => {});
    checkNoRepeats(params);
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
    await storeTokens(ctx, set, silent ? 'silent_redirect' : 'redirect', tx.audience, tx.scope);
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
      ctx.returning.set(false);
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
