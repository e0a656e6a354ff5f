import { isSsoError, SsoError } from '../errors.js';
import { toSsoError } from '../protocol/errors.js';
import { refreshTokens } from '../protocol/token.js';
import type { CachedTokens } from '../store/token-cache.js';
import type { ClientContext } from './context.js';
import { expectations, storeTokens } from './token-response.js';

/**
 * Renewal by refresh token (`useRefreshTokens`), loaded with `import()` on the first renewal
 * that uses one: apps without refresh tokens never download it. Runs under the renewal lock.
 * Returns `undefined` when the iframe should be tried instead (`fallback`, after the provider
 * refused the refresh token or when there is none).
 */
export async function viaRefreshToken(
  ctx: ClientContext,
  audience: string,
  scope: string,
  since: number,
  fallback: boolean,
  forced = false,
): Promise<CachedTokens | undefined> {
  const { tokens: renewed, refreshToken, key } = await ctx.cache.get(audience, scope);
  // Another tab may have renewed since the caller last looked (its write can take a moment to
  // show in this tab's localStorage): its tokens answer, and its rotated refresh token is not
  // spent a second time.
  if (renewed && !forced) return renewed;
  if (!refreshToken) {
    if (fallback) return undefined;
    throw new SsoError('missing_refresh_token', 'No refresh token for this audience and scope');
  }
  const release = await ctx.platform.claim(`sso-spa::rt::${await fingerprint(refreshToken)}`);
  if (!release) return rotatedElsewhere(ctx, audience, scope);
  try {
    const tokens = await redeem(ctx, audience, scope, refreshToken, since);
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
    return undefined;
  }
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
async function rotatedElsewhere(ctx: ClientContext, audience: string, scope: string): Promise<CachedTokens> {
  const deadline = ctx.now() + ROTATION_GRACE_MS + 2_000;
  for (;;) {
    const { tokens } = await ctx.cache.get(audience, scope);
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
async function redeem(
  ctx: ClientContext,
  audience: string,
  scope: string,
  refreshToken: string,
  since: number,
): Promise<CachedTokens> {
  const provider = await ctx.provider();
  const user = await ctx.cache.user();
  const set = await refreshTokens(
    provider,
    refreshToken,
    expectations(ctx, provider.as, user ? { sub: user.sub } : {}),
    user?.claims,
  );
  return storeTokens(ctx, set, 'refresh_token', audience, scope, since);
}
