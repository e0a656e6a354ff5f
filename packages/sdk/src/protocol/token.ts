import type { AuthorizationServer, Client } from 'oauth4webapi';
import * as oauth from 'oauth4webapi';
import { SsoError } from '../errors.js';
import type { IdTokenClaims } from '../types.js';
import { tokenEndpointError, toSsoError } from './errors.js';
import { type IdTokenExpectations, validateIdToken } from './id-token.js';

/** A validated token endpoint response. */
export interface TokenSet {
  access_token: string;
  id_token: string;
  token_type: string;
  /** Seconds; when the provider omits it, the ID token's lifetime. */
  expires_in: number;
  scope?: string;
  refresh_token?: string;
  claims: IdTokenClaims;
}

/** How to reach the provider: its metadata, this client, and a fetch with timeout and error mapping. */
export interface ProviderContext {
  as: AuthorizationServer;
  clientId: string;
  fetch: typeof fetch;
}

function requestOptions(ctx: ProviderContext) {
  const endpoint = new URL(ctx.as.token_endpoint as string);
  // Plain HTTP only for loopback development providers (the dev IdP); everything else needs TLS.
  const loopback = /^(localhost|127\.0\.0\.1|\[::1\]|.+\.localhost)$/.test(endpoint.hostname);
  return { [oauth.customFetch]: ctx.fetch, [oauth.allowInsecureRequests]: loopback };
}

function client(ctx: ProviderContext): Client {
  // Time claims are checked by validateIdToken against the SDK's clock, so oauth4webapi's own
  // wall-clock check is disabled rather than duplicated with another clock.
  return { client_id: ctx.clientId, [oauth.clockTolerance]: Number.MAX_SAFE_INTEGER };
}

/**
 * Reads a token endpoint response: a non-200 status becomes a typed provider or HTTP error;
 * a 200 needs `access_token`, `token_type` and a valid ID token, which is validated before
 * anything else looks at the response.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#TokenResponseValidation
 */
export async function readTokenResponse(
  response: Response,
  expect: IdTokenExpectations,
  process: (response: Response) => Promise<oauth.TokenEndpointResponse>,
): Promise<TokenSet> {
  if (response.status !== 200) throw await tokenEndpointError(response);
  let body: Record<string, unknown>;
  try {
    body = await response.clone().json();
  } catch (cause) {
    throw new SsoError('invalid_response', 'The token response is not JSON', { cause, status: response.status });
  }
  if (typeof body?.id_token !== 'string') throw new SsoError('invalid_response', 'The token response has no ID token');
  const claims = validateIdToken(body.id_token, expect);
  let result: oauth.TokenEndpointResponse;
  try {
    result = await process(response);
  } catch (error) {
    throw toSsoError(error);
  }
  const lifetime = claims.exp - claims.iat;
  const expiresIn = result.expires_in ?? lifetime;
  if (!(expiresIn > 0)) throw new SsoError('invalid_response', 'The token response has an invalid expires_in');
  return {
    access_token: result.access_token,
    id_token: body.id_token,
    token_type: typeof body.token_type === 'string' ? body.token_type : result.token_type,
    expires_in: expiresIn,
    ...(result.scope === undefined ? {} : { scope: result.scope }),
    ...(result.refresh_token === undefined ? {} : { refresh_token: result.refresh_token }),
    claims,
  };
}

/**
 * Exchanges an authorization code with its PKCE verifier. Never retried: a code is single-use.
 * @see https://datatracker.ietf.org/doc/html/rfc6749#section-4.1.3
 * @see https://datatracker.ietf.org/doc/html/rfc7636#section-4.5
 */
export async function exchangeCode(
  ctx: ProviderContext,
  params: URLSearchParams,
  redirectUri: string,
  codeVerifier: string,
  expect: IdTokenExpectations,
): Promise<TokenSet> {
  let response: Response;
  try {
    response = await oauth.authorizationCodeGrantRequest(
      ctx.as,
      client(ctx),
      oauth.None(),
      params,
      redirectUri,
      codeVerifier,
      requestOptions(ctx),
    );
  } catch (error) {
    throw toSsoError(error, 'network');
  }
  return readTokenResponse(response, expect, (r) =>
    oauth.processAuthorizationCodeResponse(ctx.as, client(ctx), r, {
      expectedNonce: expect.nonce as string,
      requireIdToken: true,
      ...(expect.maxAge === undefined ? {} : { maxAge: expect.maxAge }),
    }),
  );
}

/**
 * Redeems a refresh token. The ID token must keep `iss`, `sub`, `aud` and `azp`.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#RefreshTokenResponse
 */
export async function refreshTokens(
  ctx: ProviderContext,
  refreshToken: string,
  scope: string,
  expect: IdTokenExpectations,
): Promise<TokenSet> {
  if (!refreshToken) throw new SsoError('missing_refresh_token', 'No refresh token');
  let response: Response;
  try {
    response = await oauth.refreshTokenGrantRequest(ctx.as, client(ctx), oauth.None(), refreshToken, {
      ...requestOptions(ctx),
      additionalParameters: { scope },
    });
  } catch (error) {
    throw toSsoError(error, 'network');
  }
  return readTokenResponse(response, expect, (r) => oauth.processRefreshTokenResponse(ctx.as, client(ctx), r));
}
