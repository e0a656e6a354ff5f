import { claimTransaction, type Transaction } from '../core/transactions.js';
import { isSsoError, SsoError } from '../errors.js';
import { buildAuthorizeUrl, createSecrets } from '../protocol/authorize.js';
import { checkAuthorizationResponse, checkNoRepeats, cleanedUrl, responseParams } from '../protocol/callback.js';
import { toSsoError } from '../protocol/errors.js';
import { exchangeCode } from '../protocol/token.js';
import type { AuthorizationParams, PopupLoginOptions, RedirectLoginOptions, RedirectLoginResult } from '../types.js';
import type { ClientCore } from './core.js';
import { roundTrip } from './round-trip.js';
import { releaseSilentRedirect } from './silent-redirect-guard.js';

/** Errors that mean "there is no SSO session the user need not interact with". */
export const NO_SESSION = ['login_required', 'consent_required', 'interaction_required', 'account_selection_required'] as const;

const maxAgeOf = (params: AuthorizationParams): number | undefined =>
  params.max_age === undefined || params.max_age === null ? undefined : Number(params.max_age);

/**
 * Starts a top-level authorization request: stores a single-use transaction (fails fast with
 * `storage_unavailable` when it cannot survive the redirect) and navigates.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#CodeFlowAuth
 */
export async function redirectToProvider(
  core: ClientCore,
  kind: Transaction['kind'],
  options: RedirectLoginOptions,
): Promise<void> {
  const { as } = await core.provider();
  const params = core.authorizationParams(options.authorizationParams);
  const redirectUri = String(params.redirect_uri ?? core.redirectUri ?? '');
  if (!redirectUri) throw new SsoError('invalid_options', 'authorizationParams.redirect_uri is required');
  const secrets = await createSecrets();
  const { audience, scope } = core.resolve(params);
  const maxAge = maxAgeOf(params);
  core.transactions.save({
    kind,
    state: secrets.state,
    nonce: secrets.nonce,
    codeVerifier: secrets.codeVerifier,
    issuer: core.options.issuer,
    clientId: core.options.clientId,
    redirectUri,
    audience,
    scope,
    ...(maxAge === undefined ? {} : { maxAge }),
    ...(options.appState === undefined ? {} : { appState: options.appState }),
    createdAt: core.now(),
  });
  const url = buildAuthorizeUrl(as, { clientId: core.options.clientId, redirectUri, secrets, params });
  await (options.openUrl ?? core.platform.navigate)(url);
}

/**
 * Completes a redirect login. The response parameters leave the address bar and the
 * transaction is consumed before the first await, so a reload or the back button replays
 * nothing; any failure stores nothing.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthResponseValidation
 */
export async function handleCallback(core: ClientCore, url?: string): Promise<RedirectLoginResult> {
  const current = core.platform.currentUrl();
  const href = url ?? current;
  if (!href) throw new SsoError('invalid_options', 'No callback URL');
  const params = responseParams(href);
  const clean = current ? cleanedUrl(current) : undefined;
  if (clean) core.platform.replaceUrl(clean);
  // Every state's transaction is consumed, so a repeated state leaves none behind; without a
  // state the store is still rewritten, dropping corrupt entries.
  const [state, ...others] = params.getAll('state');
  const tx = core.transactions.take(state);
  for (const other of others) core.transactions.take(other);
  checkNoRepeats(params);
  if (!tx || tx.issuer !== core.options.issuer || tx.clientId !== core.options.clientId) {
    throw new SsoError('state_mismatch', 'No login transaction matches this response');
  }
  const silent = tx.kind === 'silent_redirect';
  const appState = tx.appState === undefined ? {} : { appState: tx.appState };
  let done: ((used: boolean) => void) | undefined;
  let used = false;
  try {
    // A copy of this tab (duplicated, restored) holds a copy of the transaction: only one of
    // them may exchange the code.
    done = await claimTransaction(core.platform, tx.state);
    if (!done) throw new SsoError('state_mismatch', 'Another tab already handled this login response');
    const provider = await core.provider();
    const checked = checkAuthorizationResponse(provider.as, params, tx.state);
    const set = await exchangeCode(
      provider,
      checked,
      tx.redirectUri,
      tx.codeVerifier,
      core.expectations(provider.as, { nonce: tx.nonce, ...(tx.maxAge === undefined ? {} : { maxAge: tx.maxAge }) }),
    );
    await core.store(set, silent ? 'silent_redirect' : 'redirect', tx.audience, tx.scope);
    used = true;
    if (silent) releaseSilentRedirect(core);
    return { ...appState, ...(silent ? { sessionCheck: 'signed_in' as const } : {}) };
  } catch (error) {
    const typed = toSsoError(error);
    if (silent && isSsoError(typed, ...NO_SESSION)) return { ...appState, sessionCheck: 'no_session' };
    throw typed;
  } finally {
    done?.(used);
  }
}

/**
 * Logs in through a popup; the response comes back by `web_message` or through the
 * silent-callback page.
 */
export async function popupLogin(core: ClientCore, options: PopupLoginOptions, popup: Window): Promise<void> {
  await roundTrip(core, {
    source: 'popup',
    params: options.authorizationParams ?? {},
    timeoutMs: (options.timeoutInSeconds ?? core.options.authorizeTimeoutInSeconds ?? 60) * 1000,
    navigate: (request) => core.platform.popup({ ...request, popup }),
  });
}
