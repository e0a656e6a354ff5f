/** What each demo site reads from `/config.json`, written by `npm start` or by the tests. */
export interface DemoConfig {
  siteName: string;
  issuer: string;
  clientId: string;
  audience: string;
  scope: string;
  apiOrigin: string;
  otherSite: { name: string; url: string };
  useRefreshTokens: boolean;
  /**
   * Sender-constrained tokens (DPoP, RFC 9449): the site's tokens are bound to a key kept in
   * this browser, and its API calls go through `client.createFetcher()`, which adds a proof.
   */
  useDpop: boolean;
  /** Checks every new ID token's signature against the provider's JWKS (the SDK's strict mode). */
  verifyIdTokenSignature: boolean;
  session: {
    ssoIdleTimeoutSeconds: number;
    ssoAbsoluteTimeoutSeconds?: number;
    warnBeforeSeconds: number;
  };
}

export async function loadConfig(): Promise<DemoConfig> {
  const response = await fetch('/config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`/config.json answered ${response.status}`);
  return (await response.json()) as DemoConfig;
}
