import { createPrivateKey, generateKeyPair, type JsonWebKey, randomBytes, randomUUID, sign } from 'node:crypto';
import { promisify } from 'node:util';
import type { JWK } from 'oidc-provider';

const generateKeyPairAsync = promisify(generateKeyPair);

/**
 * A fresh RS256 signing key as a private JWK (for oidc-provider's `jwks`). Generated off the
 * main thread: several IdPs starting at once (tests, benchmarks) do not block each other.
 */
export async function generateSigningKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPairAsync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), use: 'sig', alg: 'RS256' };
}

/** Keys that sign the IdP's cookies. */
export function generateCookieKeys(): string[] {
  return [randomBytes(32).toString('base64url')];
}

/** The secret oidc-provider derives DPoP nonces from (32 bytes, kept as base64url so it can be stored). */
export function generateDpopNonceSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Signs a compact RS256 JWS with the IdP's key, as the IdP itself would (same `kid`). */
export function signJwt(jwk: JWK, payload: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  const key = createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' });
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode({ alg: 'RS256', kid: jwk.kid, ...header })}.${encode(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}
