import { useMemo, useState } from 'react';
import type { SsoClient } from 'sso-spa';
import type { DemoConfig } from '../config.js';

type Result = { kind: 'ok'; body: unknown } | { kind: 'error'; message: string } | undefined;

/**
 * Calls the demo API through `client.createFetcher()`, which sends the access token the way
 * the provider issued it: a DPoP-bound token with a fresh proof of possession, or a Bearer token.
 */
export function ApiPage({ config, client }: { config: DemoConfig; client: SsoClient }) {
  const [result, setResult] = useState<Result>();
  const [busy, setBusy] = useState(false);
  const fetchApi = useMemo(() => client.createFetcher({ authorizationParams: { audience: config.audience } }), [client, config]);

  const call = async () => {
    setBusy(true);
    try {
      const response = await fetchApi(`${config.apiOrigin}/api/messages`);
      const body: unknown = await response.json();
      setResult(response.ok ? { kind: 'ok', body } : { kind: 'error', message: `${response.status}: ${JSON.stringify(body)}` });
    } catch (error) {
      setResult({ kind: 'error', message: error instanceof Error ? error.message : String(error) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section>
      <h1>External API</h1>
      <p>
        Calls <code>{config.apiOrigin}/api/messages</code> with an access token for <code>{config.audience}</code>. The API checks
        its signature, issuer, audience, expiry and scope.
      </p>
      {config.useDpop ? (
        <p data-testid="api-binding">
          {config.siteName} uses <strong>DPoP</strong>: its tokens are bound to a key this browser keeps and never lets out, and
          every call carries a fresh proof signed with it. A token copied out of this page is refused by the API.
        </p>
      ) : (
        <p data-testid="api-binding">
          {config.siteName} uses <strong>Bearer</strong> tokens: whoever holds the token can call the API with it until it
          expires.
        </p>
      )}
      <button type="button" onClick={call} disabled={busy} data-testid="call-api">
        {busy ? 'Calling…' : 'Call the API'}
      </button>
      {result?.kind === 'ok' ? (
        <pre data-testid="api-result">{JSON.stringify(result.body, null, 2)}</pre>
      ) : result?.kind === 'error' ? (
        <p className="error" data-testid="api-error" role="alert">
          {result.message}
        </p>
      ) : null}
    </section>
  );
}
