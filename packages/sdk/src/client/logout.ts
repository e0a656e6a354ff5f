import type { LogoutOptions } from '../types.js';
import type { ClientCore } from './core.js';

/**
 * Ends the session: this site's cache is cleared in every tab first, then the browser goes to
 * the provider's `end_session_endpoint` with `id_token_hint` (this issuer's ID token only),
 * `client_id` and `post_logout_redirect_uri` (from `returnTo`). `openUrl: false` stops after
 * the local part.
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
 */
export async function logout(core: ClientCore, options: LogoutOptions = {}): Promise<void> {
  const user = await core.cache.user();
  await core.clearSession('logout');
  if (options.openUrl === false) return;
  const { as } = await core.provider();
  const { returnTo, ...extra } = options.logoutParams ?? {};
  const navigate = options.openUrl ?? core.platform.navigate;
  if (typeof as.end_session_endpoint !== 'string') {
    // No provider logout: go to returnTo ourselves, but only within this origin.
    const here = core.platform.currentUrl();
    let target: URL | undefined;
    try {
      target = typeof returnTo === 'string' && here ? new URL(returnTo, here) : undefined;
    } catch {
      target = undefined;
    }
    if (target && here && target.origin === new URL(here).origin) await navigate(target.href);
    return;
  }
  const url = new URL(as.end_session_endpoint);
  for (const [name, value] of Object.entries(extra)) {
    if (value !== undefined && value !== null) url.searchParams.set(name, String(value));
  }
  if (user) url.searchParams.set('id_token_hint', user.claims.__raw);
  url.searchParams.set('client_id', core.options.clientId);
  if (typeof returnTo === 'string') url.searchParams.set('post_logout_redirect_uri', returnTo);
  await navigate(url.href);
}
