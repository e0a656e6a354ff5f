import type { CachedTokens } from '../core/token-cache.js';
import { SsoError } from '../errors.js';
import type { NavigationRequest } from '../platform.js';
import { buildAuthorizeUrl, createSecrets } from '../protocol/authorize.js';
import { checkAuthorizationResponse } from '../protocol/callback.js';
import { exchangeCode } from '../protocol/token.js';
import type { AuthorizationParams, TokenSource } from '../types.js';
import type { ClientCore } from './core.js';

/** One authorization request answered in this document (iframe or popup). */
export interface RoundTrip {
  source: Extract<TokenSource, 'iframe' | 'popup'>;
  params: AuthorizationParams;
  timeoutMs: number;
  navigate: (request: NavigationRequest) => Promise<URLSearchParams>;
  /** The session {@link ClientCore.epoch} the trip started in; its tokens are dropped if the session ended meanwhile. */
  since?: number;
}

/**
 * Runs an authorization request whose response comes back to this document: by
 * `response_mode=web_message` from the provider's origin when discovery lists it, else through
 * the app's silent-callback page (its own origin). Checks the response, exchanges the code and
 * stores the tokens. The transaction never leaves memory.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#CodeFlowAuth
 */
export async function roundTrip(core: ClientCore, trip: RoundTrip): Promise<CachedTokens> {
  const provider = await core.provider();
  const { as } = provider;
  const webMessage = as.response_modes_supported?.includes('web_message') === true;
  const params = core.authorizationParams(trip.params);
  const redirectUri = String(
    (webMessage ? undefined : core.options.silentCallbackUri) ?? params.redirect_uri ?? core.redirectUri ?? '',
  );
  if (!redirectUri) throw new SsoError('invalid_options', 'authorizationParams.redirect_uri is required');
  const secrets = await createSecrets();
  const { audience, scope } = core.resolve(params);
  const url = buildAuthorizeUrl(as, {
    clientId: core.options.clientId,
    redirectUri,
    secrets,
    params,
    ...(webMessage ? { responseMode: 'web_message' } : {}),
  });
  const response = await trip.navigate({
    url,
    messageOrigin: new URL(webMessage ? (as.authorization_endpoint as string) : redirectUri).origin,
    state: secrets.state,
    timeoutMs: trip.timeoutMs,
  });
  const code = checkAuthorizationResponse(as, response, secrets.state);
  const maxAge = params.max_age === undefined || params.max_age === null ? undefined : Number(params.max_age);
  const set = await exchangeCode(
    provider,
    code,
    redirectUri,
    secrets.codeVerifier,
    core.expectations(as, { nonce: secrets.nonce, ...(maxAge === undefined ? {} : { maxAge }) }),
  );
  return core.store(set, trip.source, audience, scope, trip.since);
}
