// JSON Web Key helpers shared by DPoP proofs and ID token signature checks. A file of its own:
// each of those is a chunk loaded on demand, and what they share should cost the other little.

/**
 * The public members of each key type: all a signature check needs, and what RFC 7638 §3.2
 * hashes, in the lexicographic order it requires.
 */
const PUBLIC_KEY_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
  RSA: ['e', 'kty', 'n'],
};

/** A JWK's public members only, in RFC 7638 order; `undefined` for a key type without a public half (`oct`). */
export function publicKeyMembers(jwk: { kty?: unknown; [member: string]: unknown }): Record<string, unknown> | undefined {
  const kty = String(jwk.kty);
  // Own members only: a `kty` of "constructor" must not find Object's.
  if (!Object.hasOwn(PUBLIC_KEY_MEMBERS, kty)) return undefined;
  return Object.fromEntries((PUBLIC_KEY_MEMBERS[kty] as readonly string[]).map((name) => [name, jwk[name]]));
}
