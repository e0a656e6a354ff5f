import { type Deadlines, type KeepAliveFacts, keepAliveAt, minDefined } from './deadlines.js';
import type { RenewalStrategy, SessionStatus } from './types.js';

/** What the session manager knows at one instant: everything {@link decide} needs, nothing else. */
export interface SessionFacts {
  now: number;
  deadlines: Deadlines;
  authenticated: boolean;
  /** The session ended while the page was open (status `expired`). */
  ended: boolean;
  /** The status published last, to tell entering the warning from staying in it. */
  previousStatus: SessionStatus;
  strategy: RenewalStrategy;
  /** A renewal of the manager's is out. */
  renewing: boolean;
  /** Whether the provider still has to be probed in a hidden iframe. */
  probeNeeded: boolean;
  keepAlive: KeepAliveFacts;
}

/** What to do now: end the session, or show `status`, maybe renew, and look again at `wakeAt`. */
export type Decision =
  | { end: 'idle' | 'absolute' }
  | {
      end?: undefined;
      status: SessionStatus;
      /** When the state can next change without input (undefined: only input or a message can change it). */
      wakeAt: number | undefined;
      renew?: 'keep_alive' | 'probe';
      /** A change worth a timeline entry. */
      log?: 'warning' | 'continued';
      /** The next in-app navigation should go through the provider (see {@link Deadlines.navigationExtendAt}). */
      extendOnNavigation: boolean;
    };

/**
 * The session manager's one decision, as a pure function of the facts and the clock: which
 * status to show, whether a renewal is due, and when to look again. A timer that fires late
 * (a sleeping device, a throttled tab) only means this is asked later, with a later `now`.
 */
export function decide(facts: SessionFacts): Decision {
  const { now, deadlines: d } = facts;
  let status: SessionStatus;
  if (facts.ended) status = 'expired';
  else if (!facts.authenticated) status = 'signed_out';
  else if (d.deadline !== undefined && now >= d.deadline) return { end: d.warningFor === 'absolute' ? 'absolute' : 'idle' };
  else if (d.warnAt !== undefined && now >= d.warnAt) status = 'warning';
  else status = 'active';

  const log =
    status === 'warning' && facts.previousStatus !== 'warning'
      ? 'warning'
      : status === 'active' && facts.previousStatus === 'warning'
        ? 'continued'
        : undefined;
  // Only a top-level round trip can slide the SSO session here, and the user has been active
  // since the last one: their next in-app navigation may take that round trip.
  const k = facts.keepAlive;
  const navigationDue =
    !k.canSlide && k.activityAt !== undefined && k.activityAt > (k.providerRoundTripAt ?? 0) ? d.navigationExtendAt : undefined;
  const extendOnNavigation = (status === 'active' || status === 'warning') && navigationDue !== undefined && now >= navigationDue;
  const decision: Decision = { status, wakeAt: undefined, extendOnNavigation, ...(log ? { log } : {}) };
  if (status === 'warning' && d.deadline !== undefined) {
    // The next whole-second change of the countdown.
    const left = Math.ceil((d.deadline - now) / 1000);
    decision.wakeAt = minDefined(d.deadline, d.deadline - (left - 1) * 1000);
  } else if (status === 'active') {
    const keepAliveDue = facts.strategy === 'redirect' || facts.renewing ? undefined : keepAliveAt(d, facts.keepAlive);
    if (keepAliveDue !== undefined && now >= keepAliveDue) decision.renew = 'keep_alive';
    else if (facts.probeNeeded && !facts.renewing) decision.renew = 'probe';
    decision.wakeAt = minDefined(
      d.deadline,
      d.warnAt,
      decision.renew === 'keep_alive' ? undefined : keepAliveDue,
      navigationDue !== undefined && navigationDue > now ? navigationDue : undefined,
    );
  }
  return decision;
}
