import { SsoError } from '../errors.js';
import type {
  GetTokenSilentlyOptions,
  GetTokenWithPopupOptions,
  PopupConfigOptions,
  PopupLoginOptions,
  TokenDetails,
  User,
} from '../types.js';
import type { ClientContext } from './context.js';
import { loadChunk } from './load-chunk.js';
import { revoke } from './logout.js';

/** The part of `SsoClient` a popup token request uses. */
interface PopupTokenClient {
  getTokenSilently(options: GetTokenSilentlyOptions & { cacheMode: 'cache-only' }): Promise<string | undefined>;
  loginWithPopup(options: PopupLoginOptions, config: PopupConfigOptions): Promise<void>;
}

/**
 * `getTokenWithPopup` once its popup is open: the cached token when there is one (the popup
 * closes unused), else a popup login and the token it brought.
 */
export async function tokenWithPopup(
  client: PopupTokenClient,
  options: GetTokenWithPopupOptions,
  config: PopupConfigOptions,
  popup: Window | undefined,
): Promise<string> {
  const tokenOptions = {
    ...(options.authorizationParams ? { authorizationParams: options.authorizationParams } : {}),
    cacheMode: 'cache-only' as const,
  };
  const cached = options.cacheMode === 'off' ? undefined : await client.getTokenSilently(tokenOptions);
  if (cached !== undefined) {
    if (popup && config.closePopup !== false && !config.popup) popup.close();
    return cached;
  }
  await client.loginWithPopup(options, { ...config, ...(popup ? { popup } : {}) });
  const token = await client.getTokenSilently(tokenOptions);
  if (token === undefined) throw new SsoError('invalid_response', 'The popup brought no such token');
  return token;
}

/**
 * The provider's userinfo claims, fetched with `fetchWithToken` (the client's fetcher); their
 * `sub` must be the ID token's (OpenID Connect Core §5.3.4).
 * @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfo
 */
export async function userInfo<TClaims extends User>(
  ctx: ClientContext,
  fetchWithToken: (fetch: typeof globalThis.fetch) => (url: string, init: RequestInit) => Promise<Response>,
): Promise<TClaims> {
  const [{ as, fetch }, user] = await Promise.all([ctx.provider(), ctx.cache.user()]);
  if (typeof as.userinfo_endpoint !== 'string') throw new SsoError('discovery_failed', 'No userinfo endpoint');
  const response = await fetchWithToken(fetch)(as.userinfo_endpoint, { headers: { accept: 'application/json' } });
  const claims = (await response.json().catch(() => undefined)) as TClaims | undefined;
  if (response.status !== 200 || claims?.sub !== user?.sub) {
    throw new SsoError('invalid_response', 'Userinfo of another user', { status: response.status });
  }
  return claims as TClaims;
}

/** Revokes and forgets this client's refresh tokens, under the renewal lock (no renewal uses one meanwhile). */
export function revokeRefreshTokens(ctx: ClientContext): Promise<void> {
  return ctx.platform.lock(ctx.renewalLock, 20_000, async () => revoke(ctx, await ctx.cache.refreshTokens(true)));
}

/** `createFetcher`'s fetch: the token from `getToken`, sent the way it was issued (see dpop/fetcher.ts). */
export async function fetchWithToken(
  ctx: ClientContext,
  getToken: () => Promise<TokenDetails>,
  fetch: typeof globalThis.fetch | undefined,
): Promise<(input: RequestInfo | URL, init?: RequestInit) => Promise<Response>> {
  const [{ createFetcher }, dpop] = await Promise.all([loadChunk(() => import('../dpop/fetcher.js')), ctx.dpop()]);
  return createFetcher({
    getAccessToken: async () => {
      const token = await getToken();
      return { accessToken: token.access_token, tokenType: token.token_type };
    },
    prover: dpop?.prover,
    fetch: fetch ?? ctx.platform.fetch,
  });
}
