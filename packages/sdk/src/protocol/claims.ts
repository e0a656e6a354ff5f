import type { IdTokenClaims, User } from '../types.js';

/**
 * Reading claims without validating them: a JWT part's JSON (stored entries are checked
 * against their own ID token with it), and the profile part of ID token claims. The
 * validation of a new ID token is in id-token.ts, loaded only when one arrives.
 */

/** Decodes one base64url JSON part of a JWT; `undefined` when malformed. */
export function decodeJwtPart(jwt: string, index: 0 | 1): Record<string, unknown> | undefined {
  try {
    const parts = jwt.split('.');
    if (parts.length !== 3 || jwt.length > 65536) return undefined;
    const b64 = (parts[index] as string).replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const PROTOCOL_CLAIMS = new Set([
  'iss',
  'aud',
  'exp',
  'nbf',
  'iat',
  'jti',
  'azp',
  'nonce',
  'auth_time',
  'at_hash',
  'c_hash',
  's_hash',
  'sid',
  'acr',
  'amr',
  '__raw',
]);

/** The profile part of the claims: what `getUser()` returns. */
export function userFromClaims(claims: IdTokenClaims): User {
  const user: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(claims)) if (!PROTOCOL_CLAIMS.has(name)) user[name] = value;
  return user as User;
}
