import type { NavigationRequest } from '../platform.js';
import type { CachedTokens } from '../store/token-cache.js';
import type { AuthorizationParams, TokenSource } from '../types.js';
import { prepareAuthorization } from './authorization-request.js';
import type { ClientContext } from './context.js';
import { loadChunk } from './load-chunk.js';

/** One authorization request answered in this document (iframe or popup). */
export interface RoundTrip {
  source: Extract<TokenSource, 'iframe' | 'popup'>;
  params: AuthorizationParams;
  timeoutMs: number;
  navigate: (request: NavigationRequest) => Promise<URLSearchParams>;
  /** The session {@link ClientContext.epoch} the trip started in; its tokens are dropped if the session ended meanwhile. */
  since?: number;
}

/**
 * Runs an authorization request whose response comes back to this document: by
 * `response_mode=web_message` from the provider's origin when discovery lists it, else through
 * the app's silent-callback page (its own origin). Checks the response, exchanges the code and
 * stores the tokens. The transaction never leaves memory.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#CodeFlowAuth
 */
export async function roundTrip(ctx: ClientContext, trip: RoundTrip): Promise<CachedTokens> {
  // Loaded while the provider's page loads: most of a renewal is spent waiting for it, and a
  // page whose tokens come from the cache never downloads this part.
  const exchange = loadChunk(() => import('./token-response.js'));
  exchange.catch(() => {});
  const request = await prepareAuthorization(ctx, trip.params, true);
  const { provider, secrets } = request;
  const response = await trip.navigate({
    url: request.url,
    messageOrigin: request.messageOrigin,
    state: secrets.state,
    timeoutMs: trip.timeoutMs,
  });
  const { checkAuthorizationResponse, redeemCode, storeTokens } = await exchange;
  const code = checkAuthorizationResponse(provider.as, response, secrets.state);
  const set = await redeemCode(ctx, provider, code, { ...request, ...secrets });
  return storeTokens(ctx, set, trip.source, request.audience, request.scope, trip.since);
}
