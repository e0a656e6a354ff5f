// Server-provided DPoP nonces (RFC 9449 §8 for the authorization server, §9 for resource
// servers). Each server hands out its own, so they are kept per origin; they are short-lived and
// cheap to get again, so this page's memory is enough.

/** The latest `DPoP-Nonce` of each origin. */
export interface DpopNonces {
  /** The nonce to put in a proof for `url`, if its origin sent one. */
  get(url: string): string | undefined;
  /** Keeps the `DPoP-Nonce` a response from `url` carries: any response, success or failure. */
  observe(url: string, response: Response): void;
  /** Forgets every nonce. */
  clear(): void;
}

/** An empty nonce memory. */
export function createDpopNonces(): DpopNonces {
  const byOrigin = new Map<string, string>();
  return {
    get: (url) => byOrigin.get(new URL(url).origin),
    observe(url, response) {
      const nonce = response.headers.get('dpop-nonce');
      // RFC 9449 §8.1: a nonce is 1*NQCHAR; anything else would make a proof no server accepts.
      if (nonce && /^[\x21\x23-\x5b\x5d-\x7e]+$/.test(nonce)) byOrigin.set(new URL(url).origin, nonce);
    },
    clear: () => byOrigin.clear(),
  };
}

/** A resource server's challenge (RFC 9449 §9): the `DPoP` scheme with `error="use_dpop_nonce"`. */
const RESOURCE_CHALLENGE = /(?:^|[\s,])DPoP\s.*\berror\s*=\s*"?use_dpop_nonce\b/i;

/**
 * True when `response` asks for the request to be sent again with the nonce it carries: an
 * authorization server's 400 `{"error":"use_dpop_nonce"}` (§8) or a resource server's 401 with
 * `WWW-Authenticate: DPoP error="use_dpop_nonce"` (§9), each with a `DPoP-Nonce` header. The
 * body is read from a clone, so the caller can still read the response.
 */
export async function isNonceChallenge(response: Response): Promise<boolean> {
  if (!response.headers.get('dpop-nonce')) return false;
  if (response.status === 401) return RESOURCE_CHALLENGE.test(response.headers.get('www-authenticate') ?? '');
  if (response.status !== 400) return false;
  try {
    const body: unknown = await response.clone().json();
    return (body as { error?: unknown } | null)?.error === 'use_dpop_nonce';
  } catch {
    return false;
  }
}
