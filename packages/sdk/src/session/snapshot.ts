import { Emitter } from '../emitter.js';
import type { Deadlines } from './deadlines.js';
import type { SharedState } from './shared-state.js';
import type { TabSession } from './tab-session.js';
import type { SessionEvent, SessionSnapshot } from './types.js';

export interface SnapshotInput {
  now: number;
  tab: Pick<TabSession, 'status' | 'ended' | 'tokenExpiresAt' | 'extendOnNavigation'>;
  deadlines: Deadlines;
  shared: SharedState;
  renewing: boolean;
  events: readonly SessionEvent[];
}

/** The public state; deadlines only while there is a session to have them. */
export function buildSnapshot(input: SnapshotInput): SessionSnapshot {
  const { deadlines: d } = input;
  const { status } = input.tab;
  const live = status === 'active' || status === 'warning';
  return {
    status,
    secondsLeft:
      status === 'warning' && d.deadline !== undefined ? Math.max(0, Math.ceil((d.deadline - input.now) / 1000)) : undefined,
    reason: status === 'expired' ? input.tab.ended : undefined,
    warningFor: status === 'warning' ? d.warningFor : undefined,
    ssoIdleDeadline: live ? d.ssoIdleDeadline : undefined,
    absoluteDeadline: live ? d.absoluteDeadline : undefined,
    appIdleDeadline: live ? d.appIdleDeadline : undefined,
    deadline: live ? d.deadline : undefined,
    tokenExpiresAt: live ? input.tab.tokenExpiresAt : undefined,
    lastActivityAt: input.shared.lastActivityAt,
    lastProviderRoundTripAt: input.shared.providerRoundTripAt,
    strategy: input.shared.strategy ?? 'iframe',
    providerReachable: input.shared.providerReachable,
    renewing: input.renewing,
    extendOnNavigation: live && input.tab.extendOnNavigation,
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

/**
 * The manager's published view: the current snapshot, its subscribers and the bounded
 * timeline of events. A snapshot reaches the subscribers only when a field changed.
 */
export class SnapshotPublisher {
  readonly #subscribers = new Emitter<SessionSnapshot>();
  readonly #timelineSize: number;
  #snapshot: SessionSnapshot;
  #events: readonly SessionEvent[] = [];

  constructor(initial: (events: readonly SessionEvent[]) => SessionSnapshot, timelineSize: number) {
    this.#timelineSize = timelineSize;
    this.#snapshot = initial(this.#events);
  }

  get snapshot(): SessionSnapshot {
    return this.#snapshot;
  }

  get events(): readonly SessionEvent[] {
    return this.#events;
  }

  subscribe(listener: (snapshot: SessionSnapshot) => void): () => void {
    return this.#subscribers.subscribe(listener);
  }

  /** Adds to the timeline; subscribers see it with the next published snapshot. */
  log(event: SessionEvent): void {
    this.#events = appendEvent(this.#events, event, this.#timelineSize);
  }

  /** Replaces the snapshot when a field changed; a throwing subscriber stops neither the others nor the timers. */
  publish(next: SessionSnapshot): void {
    if (sameSnapshot(next, this.#snapshot)) return;
    this.#snapshot = next;
    this.#subscribers.emit(next);
  }

  clear(): void {
    this.#subscribers.clear();
  }
}
