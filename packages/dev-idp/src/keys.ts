import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';

/** A fresh RS256 signing key as a private JWK (for oidc-provider's `jwks`). */
export function generateSigningKey(): Record<string, unknown> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), use: 'sig', alg: 'RS256' };
}

/** Keys that sign the IdP's cookies. */
export function generateCookieKeys(): string[] {
  return [randomBytes(32).toString('base64url')];
}
