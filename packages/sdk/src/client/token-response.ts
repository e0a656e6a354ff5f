import { SsoError } from '../errors.js';
import { checkAuthorizationResponse } from '../protocol/authorization-response.js';
import type { ProviderMetadata } from '../protocol/discovery.js';
import { defaultAlgs, type IdTokenExpectations } from '../protocol/id-token.js';
import { exchangeCode, type ProviderContext, type TokenSet } from '../protocol/token.js';
import type { CachedTokens } from '../store/token-cache.js';
import type { SsoClientEvent, TokenSource } from '../types.js';
import type { ClientContext } from './context.js';
import { loadChunk } from './load-chunk.js';

/**
 * What the client does once the provider has answered: checks the authorization response,
 * exchanges the code, validates the ID token and stores the tokens. A page whose tokens come
 * from the cache never runs it, so it is loaded with `import()`; a renewal starts loading it
 * when its authorization request leaves (see round-trip.ts), and it arrives while the
 * provider's page loads.
 */
export { checkAuthorizationResponse };

/** What the next ID token must match. */
export function expectations(ctx: ClientContext, as: ProviderMetadata, extra: Partial<IdTokenExpectations>): IdTokenExpectations {
  const { options } = ctx;
  return {
    issuer: as.issuer,
    clientId: options.clientId,
    algs: options.idTokenSigningAlgs ?? defaultAlgs(as.id_token_signing_alg_values_supported),
    now: Math.floor(ctx.now() / 1000),
    leeway: options.leeway ?? 60,
    ...extra,
  };
}

/** Exchanges an authorization code for tokens whose ID token must match the request's `nonce` and `max_age`. */
export function redeemCode(
  ctx: ClientContext,
  provider: ProviderContext,
  code: string,
  request: { redirectUri: string; codeVerifier: string; nonce: string; maxAge?: number | undefined },
): Promise<TokenSet> {
  return exchangeCode(
    provider,
    code,
    request.redirectUri,
    request.codeVerifier,
    expectations(ctx, provider.as, { nonce: request.nonce, ...(request.maxAge === undefined ? {} : { maxAge: request.maxAge }) }),
  );
}

/**
 * Stores a validated token response, purging another user's tokens first (and telling every
 * tab), then announces the tokens. Returns the cached pair. With `since` (the
 * {@link ClientContext.epoch} a renewal started in), a response that arrives after the session
 * ended is discarded.
 */
export async function storeTokens(
  ctx: ClientContext,
  set: TokenSet,
  source: TokenSource,
  audience: string,
  scope: string,
  since?: number,
): Promise<CachedTokens> {
  if (ctx.options.verifyIdTokenSignature) {
    const { as, fetch } = await ctx.provider();
    const { checkIdTokenSignature } = await loadChunk(() => import('./token-binding.js'));
    await checkIdTokenSignature(set, as, fetch, ctx.options.idTokenSigningAlgs);
  }
  stillCurrent(ctx, since);
  const previous = await ctx.cache.user();
  stillCurrent(ctx, since);
  const at = ctx.now();
  const { userChanged, tokens } = await ctx.cache.save(audience, scope, set, at);
  ctx.returning.set(true);
  if (userChanged) {
    ctx.post({ t: 'signed_out', reason: 'user_changed', ...(previous ? { sub: previous.sub } : {}) });
    ctx.events.emit({ type: 'signed_out', reason: 'user_changed', fromOtherTab: false });
  }
  const event: Extract<SsoClientEvent, { type: 'tokens' }> = {
    type: 'tokens',
    source,
    throughProvider: source !== 'refresh_token',
    at,
    idTokenExpiresAt: tokens.idTokenExpiresAt,
    accessTokenExpiresAt: tokens.accessTokenExpiresAt,
    sub: tokens.sub,
    fromOtherTab: false,
  };
  ctx.post({ t: 'tokens', event: { ...event, fromOtherTab: true } });
  ctx.events.emit(event);
  return tokens;
}

function stillCurrent(ctx: ClientContext, since: number | undefined): void {
  if (since !== undefined && since !== ctx.epoch) {
    // Not `login_required`: the provider said nothing. The session ended here or in another
    // tab (a logout, or another user signing in), and whoever listens must not end it again.
    throw new SsoError('cancelled', 'Session ended during renewal');
  }
}
