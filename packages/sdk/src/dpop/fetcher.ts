// A fetch for the app's API calls that sends the access token the way it was issued: DPoP-bound
// tokens with a fresh proof of possession, Bearer tokens as they are. The token and the proof
// go only into the request headers: nothing here logs, throws or keeps them.
import { SsoError } from '../errors.js';
import type { DpopProver } from './prover.js';

/** The access token to send, and how the provider issued it (`token_type`). */
export interface AccessTokenForRequest {
  /** The access token itself: sent in the `Authorization` header, never logged. */
  accessToken: string;
  /** `DPoP` or `Bearer`, any case, as the token response said. */
  tokenType: string;
}

/** What {@link createFetcher} works with. */
export interface FetcherOptions {
  /** The current access token; called once per request (both attempts of a nonce retry share it). */
  getAccessToken: () => Promise<AccessTokenForRequest>;
  /** Makes the proofs; required once a DPoP token is issued. */
  prover?: DpopProver | undefined;
  /** The fetch to send with; `globalThis.fetch` when left out. */
  fetch?: typeof fetch | undefined;
}

/** A `fetch` that authorizes each request with the current access token. */
export type AuthorizedFetch = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

/** Sends a copy of `request` with `headers` set; the original stays unread, for a retry. */
const sendCopy = (fetch: typeof globalThis.fetch, request: Request, headers: Record<string, string>): Promise<Response> => {
  const copy = request.clone();
  for (const [name, value] of Object.entries(headers)) copy.headers.set(name, value);
  return fetch(copy);
};

/**
 * A fetch that adds `Authorization: DPoP <token>` and a fresh `DPoP` proof (`htm`, `htu`, `ath`,
 * the server's nonce) when the token type is DPoP, retrying once when the resource server
 * answers with a nonce challenge (RFC 9449 §7, §9); `Authorization: Bearer <token>` when it is
 * Bearer (a server may issue Bearer to a DPoP request, §5). Any other token type, or a DPoP token
 * without a prover, is refused with `dpop_failed` before anything is sent.
 */
export function createFetcher(options: FetcherOptions): AuthorizedFetch {
  return async (input, init) => {
    const fetch = options.fetch ?? globalThis.fetch;
    // One Request: its method is normalized as sent, its URL absolute, and it can be cloned for a retry.
    const request = new Request(input, init);
    const { accessToken, tokenType } = await options.getAccessToken();
    const scheme = tokenType.toLowerCase();
    if (scheme === 'bearer') return sendCopy(fetch, request, { authorization: `Bearer ${accessToken}` });
    if (scheme !== 'dpop') throw new SsoError('dpop_failed', 'The access token is neither a DPoP nor a Bearer token');
    if (!options.prover) throw new SsoError('dpop_failed', 'A DPoP access token needs a DPoP prover');
    const target = { method: request.method, url: request.url, accessToken };
    return options.prover.send(target, (proof) =>
      sendCopy(fetch, request, { authorization: `DPoP ${accessToken}`, dpop: proof }),
    );
  };
}

/**
 * The fetch for token requests (`dpopFetch` of the token endpoint context): sends each request
 * through `fetch` with a fresh `DPoP` proof of its method and URL (no `ath`: a token request
 * carries no access token), once more after a `use_dpop_nonce` challenge (RFC 9449 §8). The
 * request's body is sent again as given, which suits the form bodies of token requests.
 */
export function createTokenRequestFetch(prover: DpopProver, fetch: typeof globalThis.fetch): typeof globalThis.fetch {
  return (input, init) => {
    // A Request normalizes the method and resolves the URL exactly as fetch will send them.
    const { method, url } = new Request(input, init);
    return prover.send({ method, url }, (proof) => {
      const headers = new Headers(init?.headers);
      headers.set('dpop', proof);
      return fetch(input, { ...init, headers });
    });
  };
}
