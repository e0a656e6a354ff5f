import type { DpopProver } from '../dpop/prover.js';
import type { ProviderMetadata } from '../protocol/discovery.js';
import type { TokenSet } from '../protocol/token.js';

/** The loaded DPoP chunk: this client's prover and the token-request fetch built on it. */
export interface DpopTools {
  prover: DpopProver;
  tokenRequestFetch(fetch: typeof globalThis.fetch): typeof globalThis.fetch;
}

/**
 * DPoP for one client (`useDpop`): the code is loaded with `import()` on first use, so apps
 * that do not ask for it never download it. One key per issuer and client, shared by the
 * site's tabs through IndexedDB.
 */
export class DpopBinding {
  readonly #issuer: string;
  readonly #clientId: string;
  #tools: Promise<DpopTools> | undefined;

  constructor(issuer: string, clientId: string) {
    this.#issuer = issuer;
    this.#clientId = clientId;
  }

  tools(): Promise<DpopTools> {
    this.#tools ??= import('../dpop/index.js').then((dpop) => {
      const prover = dpop.createDpopProver({
        keyStore: dpop.createDpopKeyStore({ issuer: this.#issuer, clientId: this.#clientId }),
      });
      return { prover, tokenRequestFetch: (fetch) => dpop.createTokenRequestFetch(prover, fetch) };
    });
    // A chunk that failed to load (offline, a deploy) is tried again next time.
    this.#tools.catch(() => {
      this.#tools = undefined;
    });
    return this.#tools;
  }

  /** A new key after the session ended: nothing bound to the old one can be used again. */
  async reset(): Promise<void> {
    if (this.#tools) await (await this.#tools).prover.reset();
  }
}

/**
 * `verifyIdTokenSignature`: the ID token of `set` must carry a valid signature by one of the
 * provider's keys, in one of `algorithms`. A carried-over ID token was checked when it arrived.
 */
export async function checkIdTokenSignature(
  set: TokenSet,
  as: ProviderMetadata,
  fetch: typeof globalThis.fetch,
  algorithms: readonly string[],
): Promise<void> {
  if (set.idTokenCarried) return;
  const { verifyIdTokenSignature } = await import('../protocol/id-token-signature.js');
  await verifyIdTokenSignature(set.id_token, {
    jwksUri: typeof as.jwks_uri === 'string' ? as.jwks_uri : undefined,
    fetch,
    algorithms,
  });
}
