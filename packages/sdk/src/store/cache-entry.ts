import { decodeJwtPart } from '../protocol/claims.js';
import type { IdTokenClaims } from '../types.js';

/**
 * The stored entries' format and the checks an entry read from storage must pass: storage is
 * shared with every script on the origin, so nothing read from it is trusted as it is.
 */

/** An ID token and access token pair, valid together. Times in epoch milliseconds. */
export interface CachedTokens {
  access_token: string;
  id_token: string;
  token_type: string;
  scope: string;
  sub: string;
  receivedAt: number;
  idTokenExpiresAt: number;
  accessTokenExpiresAt: number;
  /** The ID token is an earlier one, kept because the refresh that brought this pair had none. */
  idTokenCarried?: true;
}

export interface TokenEntry {
  v: 1;
  issuer: string;
  clientId: string;
  audience: string;
  scope: string;
  sub: string;
  tokens?: CachedTokens;
  refresh_token?: string;
}

export interface UserEntry {
  v: 1;
  issuer: string;
  clientId: string;
  sub: string;
  claims: IdTokenClaims;
}

/**
 * An entry of a later format (`v` above 1), written by a newer SDK in another tab during a
 * deploy: a miss here, but never deleted, since it may hold that tab's only refresh token.
 */
export const newerFormat = (entry: unknown) =>
  typeof (entry as { v?: unknown } | null)?.v === 'number' && (entry as { v: number }).v > 1;

/**
 * The longest a cached token is served after its receipt, whatever its own lifetime: 24 hours.
 * Longer lifetimes are cut to this when saved (the token is renewed sooner), so an entry that
 * claims more was not written by the SDK and is dropped.
 */
export const MAX_TOKEN_LIFETIME_MS = 86_400_000;

/** The payload of a stored ID token when it is this issuer's and client's token for `sub`. */
export const ownIdToken = (idToken: unknown, issuer: string, clientId: string, sub: unknown) => {
  const claims = typeof idToken === 'string' ? decodeJwtPart(idToken, 1) : undefined;
  const aud = claims?.aud;
  const ok =
    claims?.iss === issuer &&
    (aud === clientId || (Array.isArray(aud) && aud.length === 1 && aud[0] === clientId)) &&
    claims.sub === sub &&
    typeof claims.exp === 'number' &&
    typeof claims.iat === 'number';
  return ok ? (claims as { exp: number; iat: number }) : undefined;
};

/** The entry has this format's shape and is this issuer's and client's. */
export function isTokenEntry(entry: unknown, issuer: string, clientId: string): entry is TokenEntry {
  if (typeof entry !== 'object' || entry === null) return false;
  const e = entry as TokenEntry;
  if (e.v !== 1 || e.issuer !== issuer || e.clientId !== clientId) return false;
  if (typeof e.audience !== 'string' || typeof e.scope !== 'string' || typeof e.sub !== 'string') return false;
  if (e.refresh_token !== undefined && typeof e.refresh_token !== 'string') return false;
  const t = e.tokens;
  if (t === undefined) return true;
  return (
    typeof t === 'object' &&
    t !== null &&
    typeof t.access_token === 'string' &&
    typeof t.id_token === 'string' &&
    typeof t.sub === 'string' &&
    Number.isFinite(t.receivedAt) &&
    Number.isFinite(t.idTokenExpiresAt) &&
    Number.isFinite(t.accessTokenExpiresAt)
  );
}

/**
 * The pair agrees with its ID token: this issuer's token for this client and the entry's
 * user, and expiries no later than the ID token's lifetime and the cap after receipt.
 */
export function consistentEntry(entry: TokenEntry, issuer: string, clientId: string): boolean {
  const t = entry.tokens;
  if (!t) return true;
  const claims = ownIdToken(t.id_token, issuer, clientId, entry.sub);
  const cap = t.receivedAt + MAX_TOKEN_LIFETIME_MS;
  return (
    claims !== undefined &&
    t.sub === entry.sub &&
    t.idTokenExpiresAt <=
      Math.min(cap, t.idTokenCarried ? t.accessTokenExpiresAt : t.receivedAt + (claims.exp - claims.iat) * 1000) &&
    t.accessTokenExpiresAt <= cap
  );
}
