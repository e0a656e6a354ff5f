import type { AuthorizationParams } from '../types.js';
import type { ProviderMetadata } from './discovery.js';

/** The secrets of one authorization request: fresh CSPRNG values every time. */
export interface AuthorizationSecrets {
  state: string;
  nonce: string;
  codeVerifier: string;
  codeChallenge: string;
}

/**
 * Creates a fresh `state`, `nonce` and PKCE verifier with its S256 challenge (never `plain`):
 * 32 bytes of the browser's CSPRNG each, base64url (43 characters, RFC 7636 §4.1).
 * @see https://datatracker.ietf.org/doc/html/rfc7636#section-4.2
 */
export async function createSecrets(): Promise<AuthorizationSecrets> {
  const codeVerifier = randomValue();
  return { state: randomValue(), nonce: randomValue(), codeVerifier, codeChallenge: await s256(codeVerifier) };
}

/** 32 bytes from the CSPRNG, base64url. */
const randomValue = (): string => base64url(crypto.getRandomValues(new Uint8Array(32)));

/** base64url(SHA-256(value)): the PKCE S256 challenge, also used to name values without revealing them. */
export async function s256(value: string): Promise<string> {
  return base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(value))));
}

/** Unpadded base64url of bytes (RFC 4648 §5), as JOSE and PKCE write binary values. */
export const base64url = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

/** Makes sure `openid` is in the scope, without duplicates, in a stable order. */
export function normalizeScope(scope: string | undefined, extra: string[] = []): string {
  const scopes = new Set(['openid', ...(scope ?? '').split(/\s+/).filter(Boolean), ...extra]);
  return [...scopes].join(' ');
}

/** Inputs of {@link buildAuthorizeUrl}. */
export interface AuthorizeUrlInput {
  clientId: string;
  redirectUri: string;
  secrets: AuthorizationSecrets;
  params: AuthorizationParams;
  responseMode?: string;
}

/**
 * Builds the authorization request URL: code flow, PKCE S256, `state`, `nonce`, and every
 * extra parameter (`audience`, `prompt`, `id_token_hint`, ...). Parameters whose value is
 * `undefined` or `null` are left out; protocol parameters cannot be overridden.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest
 */
export function buildAuthorizeUrl(as: ProviderMetadata, input: AuthorizeUrlInput): string {
  const url = new URL(as.authorization_endpoint as string);
  for (const [name, value] of Object.entries(input.params)) {
    if (value !== undefined && value !== null && name !== 'redirect_uri') url.searchParams.set(name, String(value));
  }
  url.searchParams.set('client_id', input.clientId);
  url.searchParams.set('redirect_uri', input.redirectUri);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', normalizeScope(input.params.scope as string | undefined));
  url.searchParams.set('state', input.secrets.state);
  url.searchParams.set('nonce', input.secrets.nonce);
  url.searchParams.set('code_challenge', input.secrets.codeChallenge);
  url.searchParams.set('code_challenge_method', 'S256');
  if (input.responseMode) url.searchParams.set('response_mode', input.responseMode);
  else url.searchParams.delete('response_mode');
  return url.href;
}
