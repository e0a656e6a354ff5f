import { isSsoError, SsoError } from '../errors.js';
import { silentRequestError, toSsoError } from '../protocol/errors.js';
import { refreshTokens } from '../protocol/token.js';
import type { CachedTokens } from '../store/token-cache.js';
import type { GetTokenSilentlyOptions, TokenDetails } from '../types.js';
import type { ClientContext } from './context.js';
import { roundTrip } from './round-trip.js';

interface RenewRequest {
  audience: string;
  scope: string;
  extra: Record<string, unknown>;
  renewVia: NonNullable<GetTokenSilentlyOptions['renewVia']>;
  timeoutMs: number;
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
  const request: RenewRequest = { audience, scope, extra, renewVia: options.renewVia ?? 'auto', timeoutMs };
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
    const { refreshToken, key } = await ctx.cache.get(request.audience, request.scope);
    if (refreshToken) {
      const release = await ctx.platform.claim(`sso-spa::rt::${await fingerprint(refreshToken)}`);
      if (!release) return rotatedElsewhere(ctx, request);
      try {
        const tokens = await viaRefreshToken(ctx, request, refreshToken, since);
        // Held a moment longer, so a tab whose view of the cache still shows this (now rotated)
        // token finds it taken and waits for the new one instead of resending it.
        release(ROTATION_GRACE_MS);
        return tokens;
      } catch (error) {
        release(0);
        const typed = toSsoError(error);
        // Drop a refresh token the provider rejected; a network error keeps it (the response may
        // be lost after rotation, so it is not resent blindly: the caller decides).
        if (!isSsoError(typed, 'invalid_grant', 'invalid_id_token')) throw typed;
        await ctx.cache.drop(key);
        if (typed.code === 'invalid_id_token') {
          await ctx.clearSession('invalid_grant');
          throw typed;
        }
        if (!fallback) throw typed;
      }
    } else if (!fallback) {
      throw new SsoError('missing_refresh_token', 'No refresh token for this audience and scope');
    }
  }
  return viaIframe(ctx, request, since);
}

const ROTATION_GRACE_MS = 1_000;

/** A short SHA-256 of a refresh token, to name its lock without exposing it. */
async function fingerprint(token: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(token));
  return [...new Uint8Array(digest).slice(0, 12)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * This tab holds the renewal lock, yet the refresh token it sees is being (or was just) used by
 * another tab: localStorage is not consistent across a browser's processes, so right after
 * another tab stored the rotated token and released the lock this tab can still read the old
 * one. Resending it would look like reuse to the provider, which revokes the grant. Wait for
 * the other tab's tokens to show up here instead.
 */
async function rotatedElsewhere(ctx: ClientContext, request: RenewRequest): Promise<CachedTokens> {
  const deadline = ctx.now() + ROTATION_GRACE_MS + 2_000;
  for (;;) {
    const { tokens } = await ctx.cache.get(request.audience, request.scope);
    if (tokens) return tokens;
    if (ctx.now() >= deadline) {
      throw new SsoError('timeout', 'Another tab is renewing; try again');
    }
    await new Promise<void>((resolve) => ctx.platform.setTimeout(resolve, 20));
  }
}

/**
 * Redeems the refresh token; a rotated one replaces the old in the same cache write.
 * @see https://datatracker.ietf.org/doc/html/rfc6749#section-6
 */
async function viaRefreshToken(
  ctx: ClientContext,
  request: RenewRequest,
  refreshToken: string,
  since: number,
): Promise<CachedTokens> {
  const provider = await ctx.provider();
  const user = await ctx.cache.user();
  const set = await refreshTokens(
    provider,
    refreshToken,
    ctx.expectations(provider.as, user ? { sub: user.sub } : {}),
    user?.claims,
  );
  return ctx.store(set, 'refresh_token', request.audience, request.scope, since);
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
