// DPoP (RFC 9449) for sso-spa, meant to be loaded with `import()` only by clients that use it,
// so the typical bundle does not carry it.
export {
  type AccessTokenForRequest,
  type AuthorizedFetch,
  createFetcher,
  createTokenRequestFetch,
  type FetcherOptions,
} from './fetcher.js';
export { createDpopKeyStore, type DpopKey, type DpopKeyStore, type DpopKeyStoreOptions } from './key-store.js';
export { createDpopNonces, type DpopNonces, isNonceChallenge } from './nonces.js';
export { createDpopProver, type DpopProver, type DpopProverOptions, type ProvenRequest } from './prover.js';
