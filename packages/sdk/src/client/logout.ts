import { timedFetch } from '../store/http.js';
import type { LogoutOptions, LogoutResult } from '../types.js';
import type { ClientContext, EndedSession } from './context.js';

/** How long logout waits for the provider to revoke refresh tokens before it leaves anyway. */
const REVOCATION_TIMEOUT_MS = 3_000;

/**
 * Ends the session at the provider, once {@link ClientContext.endSession} has cleared this
 * site's cache in every tab (that part needs no network and never waits for this module): where the provider offers
 * revocation, this client's refresh tokens are revoked (some providers keep them alive past
 * logout, and one could bring the session back); then the browser goes to the provider's
 * `end_session_endpoint` with `id_token_hint` (this issuer's ID token only), `client_id` and
 * `post_logout_redirect_uri` (from `returnTo`). A provider without that endpoint cannot end its
 * SSO session from here: the result says so. `openUrl: false` stops after the local part.
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
 * @see https://datatracker.ietf.org/doc/html/rfc7009#section-2
 */
export async function finishLogout(
  ctx: ClientContext,
  { user, refreshTokens }: EndedSession,
  options: LogoutOptions = {},
): Promise<LogoutResult> {
  // Revoked before logout resolves, so that nothing the caller does next (a navigation) cuts
  // the request short; bounded in time, and whatever the provider answers.
  await revoke(ctx, refreshTokens);
  if (options.openUrl === false) return { provider: 'skipped' };
  const { as } = await ctx.provider();
  const { returnTo, ...extra } = options.logoutParams ?? {};
  const navigate = options.openUrl ?? ctx.platform.navigate;
  if (typeof as.end_session_endpoint !== 'string') {
    // No provider logout: go to returnTo ourselves, but only within this origin.
    const here = ctx.platform.currentUrl();
    let target: URL | undefined;
    try {
      target = typeof returnTo === 'string' && here ? new URL(returnTo, here) : undefined;
    } catch {
      target = undefined;
    }
    if (target && here && target.origin === new URL(here).origin) await navigate(target.href);
    return { provider: 'not_supported' };
  }
  const url = new URL(as.end_session_endpoint);
  for (const [name, value] of Object.entries(extra)) {
    if (value !== undefined && value !== null) url.searchParams.set(name, String(value));
  }
  if (user) url.searchParams.set('id_token_hint', user.claims.__raw);
  const clientId = options.clientId === undefined ? ctx.options.clientId : options.clientId;
  if (clientId !== null) url.searchParams.set('client_id', clientId);
  if (typeof returnTo === 'string') url.searchParams.set('post_logout_redirect_uri', returnTo);
  await navigate(url.href);
  return { provider: 'redirected' };
}

/**
 * Revokes refresh tokens at the provider's `revocation_endpoint`, when discovery lists one. Best
 * effort and bounded in time: the tokens are already forgotten locally, and logout goes on
 * whatever the provider answers.
 */
export async function revoke(ctx: ClientContext, tokens: string[]): Promise<void> {
  if (tokens.length === 0) return;
  try {
    const endpoint = (await ctx.provider()).as.revocation_endpoint;
    if (typeof endpoint !== 'string') return;
    const post = timedFetch(ctx.platform, REVOCATION_TIMEOUT_MS);
    await Promise.all(
      tokens.map((token) =>
        post(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ token, token_type_hint: 'refresh_token', client_id: ctx.options.clientId }),
        }).catch(() => undefined),
      ),
    );
  } catch {
    // Discovery failed: nothing to revoke with; the local logout stands.
  }
}
