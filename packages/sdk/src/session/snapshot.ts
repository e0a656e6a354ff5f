import type { Deadlines } from './deadlines.js';
import type { RenewalStrategy, SessionEndReason, SessionEvent, SessionSnapshot, SessionStatus } from './types.js';

export interface SnapshotInput {
  now: number;
  status: SessionStatus;
  ended: SessionEndReason | undefined;
  deadlines: Deadlines;
  tokenExpiresAt: number | undefined;
  lastActivityAt: number | undefined;
  providerRoundTripAt: number | undefined;
  strategy: RenewalStrategy;
  providerReachable: boolean | undefined;
  renewing: boolean;
  events: readonly SessionEvent[];
}

/** The public state; deadlines only while there is a session to have them. */
export function buildSnapshot(input: SnapshotInput): SessionSnapshot {
  const { status, deadlines: d } = input;
  const live = status === 'active' || status === 'warning';
  return {
    status,
    secondsLeft:
      status === 'warning' && d.deadline !== undefined ? Math.max(0, Math.ceil((d.deadline - input.now) / 1000)) : undefined,
    reason: status === 'expired' ? input.ended : undefined,
    warningFor: status === 'warning' ? d.warningFor : undefined,
    ssoIdleDeadline: live ? d.ssoIdleDeadline : undefined,
    absoluteDeadline: live ? d.absoluteDeadline : undefined,
    appIdleDeadline: live ? d.appIdleDeadline : undefined,
    deadline: live ? d.deadline : undefined,
    tokenExpiresAt: live ? input.tokenExpiresAt : undefined,
    lastActivityAt: input.lastActivityAt,
    lastProviderRoundTripAt: input.providerRoundTripAt,
    strategy: input.strategy,
    providerReachable: input.providerReachable,
    renewing: input.renewing,
    events: input.events,
  };
}

/** Field-by-field: a snapshot is replaced only when a field changed (`events` is replaced on append). */
export function sameSnapshot(a: SessionSnapshot, b: SessionSnapshot): boolean {
  return (Object.keys(a) as (keyof SessionSnapshot)[]).every((key) => a[key] === b[key]);
}

/** The bounded timeline: a new array per append, so the snapshot changes with it. */
export function appendEvent(events: readonly SessionEvent[], event: SessionEvent, size: number): readonly SessionEvent[] {
  return [...events, event].slice(-size);
}
