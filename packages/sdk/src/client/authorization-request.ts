import { SsoError } from '../errors.js';
import { type AuthorizationSecrets, buildAuthorizeUrl, createSecrets } from '../protocol/authorize.js';
import type { ProviderContext } from '../protocol/token.js';
import type { AuthorizationParams } from '../types.js';
import type { ClientContext } from './context.js';

/** An authorization request ready to send, with what its answer must match. */
export interface AuthorizationRequest {
  provider: ProviderContext;
  url: string;
  redirectUri: string;
  /** Where the answer comes from when it is posted to this document. */
  messageOrigin: string;
  secrets: AuthorizationSecrets;
  audience: string;
  scope: string;
  maxAge: number | undefined;
}

/**
 * Prepares an authorization request: the client's defaults and the call's parameters, fresh
 * secrets, and the redirect URI. `inDocument` is for a response that comes back to this
 * document (iframe, popup): by `web_message` from the provider when discovery lists it, else
 * through the app's `silentCallbackUri` or redirect URI (its own origin).
 * @see https://openid.net/specs/openid-connect-core-1_0.html#CodeFlowAuth
 */
export async function prepareAuthorization(
  ctx: ClientContext,
  requested: AuthorizationParams | undefined,
  inDocument = false,
): Promise<AuthorizationRequest> {
  const provider = await ctx.provider();
  const { as } = provider;
  const webMessage = inDocument && as.response_modes_supported?.includes('web_message') === true;
  const params = ctx.authorizationParams(requested);
  // Binds the code to this client's DPoP key (RFC 9449 §10): a stolen code is useless without it.
  const dpop = await ctx.dpop();
  if (dpop) params.dpop_jkt = await dpop.prover.thumbprint();
  const redirectUri = String(
    (inDocument && !webMessage ? ctx.options.silentCallbackUri : undefined) ?? params.redirect_uri ?? ctx.redirectUri ?? '',
  );
  if (!redirectUri) throw new SsoError('invalid_options', 'authorizationParams.redirect_uri is required');
  const secrets = await createSecrets();
  const url = buildAuthorizeUrl(as, {
    clientId: ctx.options.clientId,
    redirectUri,
    secrets,
    params,
    ...(webMessage ? { responseMode: 'web_message' } : {}),
  });
  return {
    provider,
    url,
    redirectUri,
    messageOrigin: new URL(webMessage ? (as.authorization_endpoint as string) : redirectUri).origin,
    secrets,
    ...ctx.resolve(params),
    maxAge: params.max_age === undefined || params.max_age === null ? undefined : Number(params.max_age),
  };
}
