import { useState } from 'react';
import { useSso } from 'sso-spa-react';
import type { DemoConfig } from '../config.js';

type Result = { kind: 'ok'; body: unknown } | { kind: 'error'; message: string } | undefined;

/** Calls the demo API with a bearer token from getAccessTokenSilently(). */
export function ApiPage({ config }: { config: DemoConfig }) {
  const { getAccessTokenSilently } = useSso();
  const [result, setResult] = useState<Result>();
  const [busy, setBusy] = useState(false);

  const call = async () => {
    setBusy(true);
    try {
      const token = await getAccessTokenSilently({ authorizationParams: { audience: config.audience } });
      const response = await fetch(`${config.apiOrigin}/api/messages`, { headers: { authorization: `Bearer ${token}` } });
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
