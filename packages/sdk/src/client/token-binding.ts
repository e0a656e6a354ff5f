import type { DpopProver } from '../dpop/prover.js';
import type { ProviderMetadata } from '../protocol/discovery.js';
import { defaultAlgs } from '../protocol/id-token.js';
import type { TokenSet } from '../protocol/token.js';
import { loadChunk } from './load-chunk.js';

/** The loaded DPoP chunk: this client's prover and the token-request fetch built on it. */
export interface DpopTools {
  prover: DpopProver;
  tokenRequestFetch(fetch: typeof globalThis.fetch): typeof globalThis.fetch;
}

/**
 * DPoP for one client (`useDpop`): one key per issuer and client, shared by the site's tabs
 * through IndexedDB. The client loads this module, and the DPoP chunk with it, on first use.
 */
export async function loadDpop(issuer: string, clientId: string): Promise<DpopTools> {
  const dpop = await loadChunk(() => import('../dpop/index.js'));
  const prover = dpop.createDpopProver({ keyStore: dpop.createDpopKeyStore({ issuer, clientId }) });
  return { prover, tokenRequestFetch: (fetch) => dpop.createTokenRequestFetch(prover, fetch) };
}

/**
 * `verifyIdTokenSignature`: the ID token of `set` must carry a valid signature by one of the
 * provider's keys, in one of `algorithms` (the client's `idTokenSigningAlgs`, else those the
 * provider advertises, else RS256). A carried-over ID token was checked when it arrived.
 */
export async function checkIdTokenSignature(
  set: TokenSet,
  as: ProviderMetadata,
  fetch: typeof globalThis.fetch,
  algorithms: readonly string[] | undefined,
): Promise<void> {
  if (set.idTokenCarried) return;
  const { verifyIdTokenSignature } = await loadChunk(() => import('../protocol/id-token-signature.js'));
  await verifyIdTokenSignature(set.id_token, {
    jwksUri: typeof as.jwks_uri === 'string' ? as.jwks_uri : undefined,
    fetch,
    algorithms: algorithms ?? defaultAlgs(as.id_token_signing_alg_values_supported),
  });
}
