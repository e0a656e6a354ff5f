import { SsoError } from '../errors.js';
import type { IdTokenClaims } from '../types.js';
import type { ProviderMetadata } from './discovery.js';
import { toSsoError } from './errors.js';
import { type IdTokenExpectations, validateIdToken } from './id-token.js';
import { tokenEndpointError } from './provider-errors.js';

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
  /**
   * Set when a refresh response carried no `id_token` (OpenID Connect Core §12.2 allows it):
   * `id_token` and `claims` are the previous ID token's, kept as the user's identity.
   */
  idTokenCarried?: true;
}

/** How to reach the provider: its metadata, this client, and a fetch with timeout and error mapping. */
export interface ProviderContext {
  as: ProviderMetadata;
  clientId: string;
  fetch: typeof fetch;
  /** Sent with every token request; the protocol's own parameters win. */
  extraTokenParams?: Record<string, string> | undefined;
  /**
   * Set when the client uses DPoP (RFC 9449 §5): token requests go through this fetch instead,
   * which adds a proof of possession to each (the DPoP chunk's `createTokenRequestFetch` over
   * `fetch`). A function, not the prover, so the DPoP code stays a chunk loaded on demand.
   */
  dpopFetch?: typeof fetch | undefined;
}

const invalid = (reason: string, status = 200) =>
  new SsoError('invalid_response', `Invalid token response: ${reason}`, { status });

/**
 * Reads a token endpoint response: a non-200 status becomes a typed provider or HTTP error;
 * a 200 needs a JSON object with `access_token`, a Bearer `token_type` (or, when the request
 * carried a DPoP proof, `DPoP` or Bearer: RFC 9449 §5 lets a server issue Bearer anyway, and the
 * `token_type` returned says which one to send the token as), a positive
 * `expires_in` (or none), string `scope` / `refresh_token` when present, and a valid ID token.
 * Nothing is returned, so nothing is stored, unless every check passed.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#TokenResponseValidation
 * @see https://datatracker.ietf.org/doc/html/rfc6749#section-5.1
 */
export async function readTokenResponse(
  response: Response,
  expect: IdTokenExpectations,
  grantType = 'authorization_code',
  previous?: IdTokenClaims,
  dpop = false,
): Promise<TokenSet> {
  if (response.status !== 200) throw await tokenEndpointError(response, grantType);
  let body: Record<string, unknown>;
  try {
    body = await response.json();
  } catch {
    throw invalid('not JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('not an object');
  const { access_token, token_type, expires_in, scope, refresh_token, id_token } = body;
  if (typeof access_token !== 'string' || !access_token) throw invalid('no access_token');
  // DPoP only when a proof was sent: a DPoP-bound token is of no use to a client without the key.
  if (typeof token_type !== 'string' || !(dpop ? /^(bearer|dpop)$/i : /^bearer$/i).test(token_type)) {
    throw invalid('unexpected token_type');
  }
  if (scope !== undefined && typeof scope !== 'string') throw invalid('scope is not a string');
  if (refresh_token !== undefined && (typeof refresh_token !== 'string' || !refresh_token)) throw invalid('bad refresh_token');
  // A refresh response may omit the ID token (OpenID Connect Core §12.2): the identity stays
  // the previous ID token's. A code exchange for `openid` must always bring one.
  const carried = id_token === undefined && previous !== undefined;
  if (typeof id_token !== 'string' && !carried) throw invalid('no id_token');
  const claims = carried ? (previous as IdTokenClaims) : validateIdToken(id_token as string, expect);
  const expiresIn = expires_in === undefined ? claims.exp - claims.iat : Number(expires_in);
  if (!(expiresIn > 0 && expiresIn < 2 ** 31)) throw invalid('bad expires_in');
  return {
    access_token,
    id_token: claims.__raw,
    token_type,
    expires_in: expiresIn,
    ...(scope === undefined ? {} : { scope }),
    ...(refresh_token === undefined ? {} : { refresh_token }),
    claims,
    ...(carried ? { idTokenCarried: true as const } : {}),
  };
}

/** Hosts that may be reached over plain HTTP: loopback development providers (the dev IdP). */
export const LOOPBACK = /^(localhost|127\.0\.0\.1|\[::1\]|.+\.localhost)$/;

/**
 * Sends a grant to the token endpoint: a public client's form POST (`client_id` in the body, no
 * secret, no cookies). TLS is required: the ID token is trusted without a signature check because
 * it comes straight from this endpoint over TLS (OpenID Connect Core §3.1.3.7 step 6).
 * @see https://datatracker.ietf.org/doc/html/rfc6749#section-4.1.3
 */
async function grant(ctx: ProviderContext, type: string, parameters: Record<string, string>): Promise<Response> {
  const endpoint = new URL(ctx.as.token_endpoint as string);
  if (endpoint.protocol !== 'https:' && !LOOPBACK.test(endpoint.hostname)) {
    throw new SsoError('discovery_failed', 'The token endpoint must use https');
  }
  try {
    return await (ctx.dpopFetch ?? ctx.fetch)(endpoint.href, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
      body: new URLSearchParams({ ...ctx.extraTokenParams, ...parameters, grant_type: type, client_id: ctx.clientId }),
    });
  } catch (error) {
    throw toSsoError(error, 'network');
  }
}

/**
 * Exchanges an authorization code with its PKCE verifier. Never retried: a code is single-use
 * (a DPoP nonce challenge is not a retry: the server refused the proof before using the code).
 * @see https://datatracker.ietf.org/doc/html/rfc6749#section-4.1.3
 * @see https://datatracker.ietf.org/doc/html/rfc7636#section-4.5
 */
export async function exchangeCode(
  ctx: ProviderContext,
  code: string,
  redirectUri: string,
  codeVerifier: string,
  expect: IdTokenExpectations,
): Promise<TokenSet> {
  const response = await grant(ctx, 'authorization_code', { code, redirect_uri: redirectUri, code_verifier: codeVerifier });
  return readTokenResponse(response, expect, undefined, undefined, !!ctx.dpopFetch);
}

/**
 * Redeems a refresh token. A new ID token must keep `iss`, `sub`, `aud` and `azp`; without one,
 * `previous` stays the identity. No `scope` is sent: RFC 6749 §6 then grants exactly the
 * original scope, whereas asking again for what the grant may not hold (`offline_access` on
 * providers that issue refresh tokens without it) is refused with `invalid_scope`.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#RefreshTokenResponse
 * @see https://datatracker.ietf.org/doc/html/rfc6749#section-6
 */
export async function refreshTokens(
  ctx: ProviderContext,
  refreshToken: string,
  expect: IdTokenExpectations,
  previous: IdTokenClaims | undefined,
): Promise<TokenSet> {
  if (!refreshToken) throw new SsoError('missing_refresh_token', 'No refresh token');
  const response = await grant(ctx, 'refresh_token', { refresh_token: refreshToken });
  return readTokenResponse(response, expect, 'refresh_token', previous, !!ctx.dpopFetch);
}
