import { createHash, randomUUID, webcrypto } from 'node:crypto';

/** An ES256 key pair of the kind a browser keeps (non-extractable private key), with its public JWK and thumbprint. */
export interface DpopKey {
  privateKey: webcrypto.CryptoKey;
  publicJwk: { kty: string; crv: string; x: string; y: string };
  /** RFC 7638 SHA-256 thumbprint of the public key: what `cnf.jkt` and `dpop_jkt` carry. */
  thumbprint: string;
}

export async function generateDpopKey(): Promise<DpopKey> {
  const pair = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
  const { kty, crv, x, y } = await webcrypto.subtle.exportKey('jwk', pair.publicKey);
  const publicJwk = { kty: kty!, crv: crv!, x: x!, y: y! };
  // RFC 7638: the required members in lexicographic order, no whitespace.
  const canonical = JSON.stringify({ crv: publicJwk.crv, kty: publicJwk.kty, x: publicJwk.x, y: publicJwk.y });
  return { privateKey: pair.privateKey, publicJwk, thumbprint: createHash('sha256').update(canonical).digest('base64url') };
}

export interface ProofClaims {
  htm: string;
  htu: string;
  /** Bound access token: adds `ath`. */
  accessToken?: string;
  nonce?: string;
  /** Epoch seconds; now by default. */
  iat?: number;
}

/** A DPoP proof JWT (RFC 9449 §4.2) signed with WebCrypto, as an SDK in the browser would make it. */
export async function dpopProof(key: DpopKey, claims: ProofClaims): Promise<string> {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const header = { typ: 'dpop+jwt', alg: 'ES256', jwk: key.publicJwk };
  const payload = {
    jti: randomUUID(),
    htm: claims.htm,
    htu: claims.htu,
    iat: claims.iat ?? Math.floor(Date.now() / 1000),
    ...(claims.accessToken ? { ath: createHash('sha256').update(claims.accessToken).digest('base64url') } : {}),
    ...(claims.nonce ? { nonce: claims.nonce } : {}),
  };
  const input = `${encode(header)}.${encode(payload)}`;
  // WebCrypto's ECDSA signature is r || s, which is exactly the JWS ES256 form.
  const signature = await webcrypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key.privateKey, Buffer.from(input));
  return `${input}.${Buffer.from(signature).toString('base64url')}`;
}
