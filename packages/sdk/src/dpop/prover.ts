// Proofs of possession for one client: its kept key, the servers' nonces, and the one retry a
// nonce challenge earns. Token requests and resource requests both go through `send`.
import { SsoError } from '../errors.js';
import { createDpopProof } from '../protocol/dpop.js';
import type { createDpopKeyStore, DpopKeyStore } from './key-store.js';
import { createDpopNonces, type DpopNonces, isNonceChallenge } from './nonces.js';

/** The request a proof is made for. */
export interface ProvenRequest {
  /** The HTTP method as sent (`Request.method`). */
  method: string;
  /** The absolute request URL. */
  url: string;
  /** The access token the request carries (resource requests): its hash goes into `ath`. */
  accessToken?: string | undefined;
}

/** Makes DPoP proofs with the client's key and sends requests with them. */
export interface DpopProver {
  /** The key's RFC 7638 thumbprint: the `dpop_jkt` authorization parameter, binding the code to the key. */
  thumbprint(): Promise<string>;
  /** A proof for one request, with the latest nonce of its origin. Throws `dpop_failed`. */
  proof(request: ProvenRequest): Promise<string>;
  /**
   * Sends a request through `send`, which must put the proof it is given in a `DPoP` header.
   * Every response's `DPoP-Nonce` is kept; a nonce challenge is answered by sending once more
   * with a fresh proof carrying the new nonce, and never more than once.
   */
  send(request: ProvenRequest, send: (proof: string) => Promise<Response>): Promise<Response>;
  /** A new key for the next sign-in (call at logout), and every nonce forgotten. */
  reset(): Promise<void>;
  /** False when the key lives only in this page (see {@link DpopKeyStore.persistent}). */
  readonly persistent: boolean;
}

/** What {@link createDpopProver} works with. */
export interface DpopProverOptions {
  /** Where the key comes from (see {@link createDpopKeyStore}). */
  keyStore: DpopKeyStore;
  /** Shared with another prover to share nonces; a new memory when left out. */
  nonces?: DpopNonces | undefined;
}

/** WebCrypto or the key failed (no `crypto.subtle` outside a secure context, a broken key). */
const dpopFailure = (cause: unknown) =>
  // Only the failure's name goes along: the request it was for may carry a token.
  new SsoError('dpop_failed', 'Could not make a DPoP proof', {
    cause: cause instanceof Error ? new Error(cause.name) : undefined,
  });

/** A prover signing with the key of `keyStore`. */
export function createDpopProver({ keyStore, nonces = createDpopNonces() }: DpopProverOptions): DpopProver {
  const proof = async (request: ProvenRequest): Promise<string> => {
    try {
      const key = await keyStore.getKey();
      return await createDpopProof(key, { ...request, nonce: nonces.get(request.url) });
    } catch (cause) {
      throw dpopFailure(cause);
    }
  };

  const attempt = async (request: ProvenRequest, send: (proof: string) => Promise<Response>): Promise<Response> => {
    const response = await send(await proof(request));
    nonces.observe(request.url, response);
    return response;
  };

  return {
    thumbprint: async () => {
      try {
        return (await keyStore.getKey()).thumbprint;
      } catch (cause) {
        throw dpopFailure(cause);
      }
    },
    proof,
    async send(request, send) {
      const response = await attempt(request, send);
      return (await isNonceChallenge(response)) ? attempt(request, send) : response;
    },
    async reset() {
      nonces.clear();
      await keyStore.reset();
    },
    get persistent() {
      return keyStore.persistent;
    },
  };
}
