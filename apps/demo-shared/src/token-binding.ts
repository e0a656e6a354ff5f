import { useEffect, useState } from 'react';
import type { SsoClient } from 'sso-spa';

/** How this tab's access token for the API is sent, as the SDK holds it. */
export interface TokenBinding {
  /** `DPoP` or `Bearer`: the `token_type` the provider issued. */
  type: string;
  /** For a DPoP token: the thumbprint of the key it is bound to (`cnf.jkt`). */
  jkt: string | undefined;
}

/** The `cnf.jkt` of a JWT access token; the demo reads it only to show it. */
function boundKey(accessToken: string): string | undefined {
  try {
    const part = (accessToken.split('.')[1] ?? '').replace(/-/g, '+').replace(/_/g, '/');
    const claims = JSON.parse(atob(part)) as { cnf?: { jkt?: unknown } };
    return typeof claims.cnf?.jkt === 'string' ? claims.cnf.jkt : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The binding of this tab's cached access token for `audience`, read again whenever tokens
 * arrive or the session ends; `undefined` while there is none. Reading the cache never renews.
 */
export function useTokenBinding(client: SsoClient, audience: string): TokenBinding | undefined {
  const [binding, setBinding] = useState<TokenBinding>();
  useEffect(() => {
    let latest = 0;
    const read = () => {
      const reading = ++latest;
      client
        .getTokenSilently({ cacheMode: 'cache-only', detailedResponse: true, authorizationParams: { audience } })
        .then(
          (details) => details && { type: details.token_type, jkt: boundKey(details.access_token) },
          () => undefined,
        )
        .then((found) => {
          if (reading === latest) setBinding(found);
        });
    };
    read();
    const unsubscribe = client.subscribe((event) => {
      if (event.type === 'tokens' || event.type === 'signed_out') read();
    });
    return () => {
      latest = -1;
      unsubscribe();
    };
  }, [client, audience]);
  return binding;
}
