import { SsoError } from '../errors.js';
import { silentRequestError, toSsoError } from '../protocol/errors.js';
import type { CachedTokens } from '../store/token-cache.js';
import type { GetTokenSilentlyOptions, TokenDetails } from '../types.js';
import type { ClientContext } from './context.js';
import { loadChunk } from './load-chunk.js';
import { roundTrip } from './round-trip.js';

interface RenewRequest {
  audience: string;
  scope: string;
  extra: Record<string, unknown>;
  renewVia: NonNullable<GetTokenSilentlyOptions['renewVia']>;
  timeoutMs: number;
  /** A renewal the caller forced (`cacheMode: 'off'`) must not be answered from the cache. */
  forced: boolean;
}

/** The detailed shape of a cached pair. */
export function details(ctx: ClientContext, tokens: CachedTokens): TokenDetails {
  const expiresAt = Math.min(tokens.idTokenExpiresAt, tokens.accessTokenExpiresAt);
  return {
    access_token: tokens.access_token,
    id_token: tokens.id_token,
    expires_in: Math.max(0, Math.floor((expiresAt - ctx.now()) / 1000)),
    scope: tokens.scope,
    token_type: tokens.token_type,
  };
}

/** A valid cached pair for `options`, without an await (see {@link TokenCache.peek}), or `undefined`. */
export function peekTokens(ctx: ClientContext, options: GetTokenSilentlyOptions): CachedTokens | undefined {
  if (options.cacheMode === 'off') return undefined;
  const { audience, scope } = ctx.resolve(options.authorizationParams);
  return ctx.cache.peek(audience, scope);
}

/**
 * Cache first; then one renewal per key in this tab (single flight) and across tabs (Web
 * Locks), re-reading the cache once the lock is held because another tab may just have renewed.
 * Returns `undefined` only for `cacheMode: 'cache-only'` misses.
 */
export async function getTokens(ctx: ClientContext, options: GetTokenSilentlyOptions): Promise<CachedTokens | undefined> {
  const { audience, scope } = ctx.resolve(options.authorizationParams);
  const cacheMode = options.cacheMode ?? 'on';
  if (cacheMode !== 'off') {
    const hit = await ctx.cache.get(audience, scope);
    if (hit.tokens) return hit.tokens;
  }
  if (cacheMode === 'cache-only') return undefined;
  const { audience: _a, scope: _s, ...extra } = options.authorizationParams ?? {};
  const timeoutMs = (options.timeoutInSeconds ?? ctx.options.authorizeTimeoutInSeconds ?? 60) * 1000;
  const request: RenewRequest = {
    audience,
    scope,
    extra,
    renewVia: options.renewVia ?? 'auto',
    timeoutMs,
    forced: cacheMode === 'off',
  };
  const key = `${ctx.cache.key(audience, scope)}|${cacheMode}|${request.renewVia}`;
  try {
    return await ctx.flights.run(key, () =>
      ctx.platform.lock(ctx.renewalLock, timeoutMs + 10_000, async () => {
        if (cacheMode !== 'off') {
          const again = await ctx.cache.get(audience, scope);
          if (again.tokens) return again.tokens;
        }
        return renew(ctx, request);
      }),
    );
  } catch (error) {
    const typed = toSsoError(error);
    ctx.forgetProvider(typed);
    ctx.events.emit({ type: 'renewal_failed', code: typed.code, at: ctx.now() });
    throw typed;
  }
}

async function renew(ctx: ClientContext, request: RenewRequest): Promise<CachedTokens> {
  // Tokens of a renewal that outlives the session (a logout here or in another tab) are dropped.
  const since = ctx.epoch;
  const useRefresh = ctx.options.useRefreshTokens === true && request.renewVia !== 'provider';
  const fallback = ctx.options.useRefreshTokensFallback === true && request.renewVia === 'auto';
  if (request.renewVia === 'refresh_token' && !ctx.options.useRefreshTokens) {
    throw new SsoError('missing_refresh_token', 'useRefreshTokens is off');
  }
  if (useRefresh) {
    const { viaRefreshToken } = await loadChunk(() => import('./refresh.js'));
    const tokens = await viaRefreshToken(ctx, request.audience, request.scope, since, fallback, request.forced);
    if (tokens) return tokens;
  }
  return viaIframe(ctx, request, since);
}

/**
 * `prompt=none` in a hidden iframe, with `id_token_hint` when an ID token is known.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest
 */
async function viaIframe(ctx: ClientContext, request: RenewRequest, since: number): Promise<CachedTokens> {
  // An offline browser would load an error page in the frame and the renewal would only end at
  // the timeout; say `network` at once, as the refresh token path does.
  if (!ctx.platform.online()) throw new SsoError('network', 'The browser is offline');
  const user = await ctx.cache.user();
  // A hint the provider refused once is not sent again (it would be refused again).
  const hint = user?.claims.__raw === ctx.refusedHint ? undefined : user?.claims.__raw;
  const attempt = (hint: string | undefined) =>
    roundTrip(ctx, {
      source: 'iframe',
      params: { ...request.extra, audience: request.audience, scope: request.scope, prompt: 'none', id_token_hint: hint },
      timeoutMs: request.timeoutMs,
      since,
      navigate: (navigation) => ctx.platform.iframe(navigation),
    });
  try {
    return await attempt(hint);
  } catch (error) {
    const typed = toSsoError(error);
    if (!hint || typed.code !== 'oauth_error' || typed.error !== 'invalid_request') throw silentRequestError(typed);
    ctx.refusedHint = hint;
    // A provider that no longer accepts our ID token as a hint (its keys rotated, it restarted)
    // answers invalid_request: ask once more without it, so that a session still alive is found
    // and a gone one says so, instead of failing the same way on every page load.
    try {
      return await attempt(undefined);
    } catch (retryError) {
      throw silentRequestError(retryError);
    }
  }
}
