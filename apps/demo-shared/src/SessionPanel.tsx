import type { SsoClient } from 'sso-spa';
import type { SessionManager, SessionSnapshot } from 'sso-spa/session';
import { useSessionState } from 'sso-spa-react';
import { useTokenBinding } from './token-binding.js';
import { useNow } from './use-now.js';

export type DemoSession = SessionManager;

const strategyLabel: Record<SessionSnapshot['strategy'], string> = {
  iframe: 'hidden iframe (prompt=none)',
  refresh_token: 'refresh token',
  redirect: 'top-level redirect',
};

function countdown(deadline: number | undefined, now: number): string {
  if (deadline === undefined) return '—';
  const seconds = Math.max(0, Math.round((deadline - now) / 1000));
  return seconds >= 3600 ? `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min` : formatSeconds(seconds);
}

function formatSeconds(seconds: number): string {
  return seconds >= 60 ? `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s` : `${seconds} s`;
}

function clock(at: number): string {
  return new Date(at).toLocaleTimeString([], { hour12: false });
}

/** The live view of this site's session: what a developer wants to see while the workflow runs. */
export function SessionPanel({ session, client, audience }: { session: DemoSession; client: SsoClient; audience: string }) {
  const snapshot = useSessionState(session);
  const binding = useTokenBinding(client, audience);
  const now = useNow(1000);
  const idle =
    snapshot.lastActivityAt === undefined ? '—' : formatSeconds(Math.max(0, Math.round((now - snapshot.lastActivityAt) / 1000)));
  return (
    <aside className="panel" aria-label="Session" data-testid="session-panel">
      <h2>
        Session{' '}
        <span className={`status status-${snapshot.status}`} data-testid="session-status">
          {snapshot.status}
        </span>
      </h2>
      <dl>
        <dt>Tokens expire in</dt>
        <dd data-testid="token-expiry">{countdown(snapshot.tokenExpiresAt, now)}</dd>
        <dt>SSO session idles out in</dt>
        <dd data-testid="sso-deadline">{countdown(snapshot.ssoIdleDeadline, now)}</dd>
        <dt>Last activity</dt>
        <dd>{idle === '—' ? idle : `${idle} ago`}</dd>
        <dt>Access token</dt>
        <dd data-testid="token-type">{binding?.type ?? '—'}</dd>
        {binding?.jkt ? (
          <>
            <dt>Bound to key</dt>
            <dd data-testid="token-jkt" title={binding.jkt}>
              <code>{binding.jkt.slice(0, 12)}…</code>
            </dd>
          </>
        ) : null}
        <dt>Renewal</dt>
        <dd data-testid="strategy">
          {strategyLabel[snapshot.strategy]}
          {snapshot.providerReachable === false ? ' — provider not reachable silently (third-party cookies blocked)' : ''}
        </dd>
        <dt>Next navigation</dt>
        <dd data-testid="extend-on-navigation">
          {snapshot.extendOnNavigation ? 'goes through the provider and extends the SSO session' : 'stays in the app'}
        </dd>
      </dl>
      <h3>Timeline</h3>
      <ol className="timeline" data-testid="timeline">
        {snapshot.events
          .slice()
          .reverse()
          .map((event) => (
            <li key={`${event.at}-${event.type}-${event.detail ?? ''}`}>
              <time>{clock(event.at)}</time> <span className={`event event-${event.type}`}>{event.type.replace('_', ' ')}</span>
              {event.detail ? <span className="muted"> {event.detail}</span> : null}
              {event.fromOtherTab ? <span className="muted"> (other tab)</span> : null}
            </li>
          ))}
      </ol>
    </aside>
  );
}
