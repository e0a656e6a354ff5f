import { describe, expect, it } from 'vitest';
import { computeDeadlines } from '../../src/session/deadlines.js';
import { decide, type SessionFacts } from '../../src/session/decide.js';

const T0 = Date.UTC(2026, 11, 1, 12);
const OPTIONS = { ssoIdleMs: 300_000, absoluteMs: 3_600_000, appIdleMs: undefined, warnBeforeMs: 60_000, renewBeforeMs: 30_000 };

/** A user who signed in at T0 with 150 s tokens, and was last active at `activityAt`. */
function facts(now: number, patch: Partial<SessionFacts> = {}, activityAt: number | undefined = T0 + 1000): SessionFacts {
  const times = {
    providerRoundTripAt: T0,
    loginAt: T0,
    lastActivityAt: activityAt,
    tokenIssuedAt: T0,
    tokenExpiresAt: T0 + 150_000,
  };
  return {
    now,
    deadlines: computeDeadlines(times, OPTIONS),
    authenticated: true,
    ended: false,
    previousStatus: 'active',
    strategy: 'iframe',
    renewing: false,
    probeNeeded: false,
    keepAlive: {
      activityAt,
      localActivityAt: activityAt,
      tokenIssuedAt: T0,
      providerRoundTripAt: T0,
      canSlide: true,
      lastAttemptAt: undefined,
    },
    ...patch,
  };
}

describe('decide: the session manager’s one decision, from the facts and the clock', () => {
  it('shows signed_out and expired without deadlines or renewals', () => {
    expect(decide(facts(T0, { authenticated: false }))).toEqual({
      status: 'signed_out',
      wakeAt: undefined,
      extendOnNavigation: false,
    });
    expect(decide(facts(T0, { ended: true }))).toEqual({ status: 'expired', wakeAt: undefined, extendOnNavigation: false });
  });

  it('ends the session once its deadline has passed, naming the absolute cap when that came first', () => {
    expect(decide(facts(T0 + 300_000, {}, undefined))).toEqual({ end: 'idle' });
    const capped = facts(T0 + 3_600_000, {}, undefined);
    capped.deadlines = { ...capped.deadlines, deadline: T0 + 3_600_000, warningFor: 'absolute' };
    expect(decide(capped)).toEqual({ end: 'absolute' });
  });

  it('renews an active user’s tokens when due, and looks again at the warning, not at the renewal it started', () => {
    const d = decide(facts(T0 + 120_000));
    expect(d).toMatchObject({ status: 'active', renew: 'keep_alive' });
    expect(d.end ? undefined : d.wakeAt).toBe(T0 + 240_000);
  });

  it('starts no second renewal while one is out, and none for the top-level-only strategy', () => {
    expect(decide(facts(T0 + 120_000, { renewing: true }))).not.toHaveProperty('renew');
    expect(decide(facts(T0 + 120_000, { strategy: 'redirect' }))).not.toHaveProperty('renew');
  });

  it('leaves an idle user to the warning, logged once when it starts, with a tick per second of the countdown', () => {
    const entering = decide(facts(T0 + 240_500, {}, undefined));
    expect(entering).toEqual({ status: 'warning', wakeAt: T0 + 241_000, log: 'warning', extendOnNavigation: false });
    expect(decide(facts(T0 + 241_000, { previousStatus: 'warning' }, undefined))).toEqual({
      status: 'warning',
      wakeAt: T0 + 242_000,
      extendOnNavigation: false,
    });
  });

  it('probes the provider when asked to and nothing else is due', () => {
    expect(decide(facts(T0 + 10_000, { probeNeeded: true }))).toMatchObject({ status: 'active', renew: 'probe' });
  });

  it('where nothing silent slides the SSO session, lets an active user’s next navigation extend it, from halfway to the warning', () => {
    const blocked = (now: number, activityAt = T0 + 1000) => {
      const f = facts(now, { strategy: 'redirect' }, activityAt);
      return decide({ ...f, keepAlive: { ...f.keepAlive, canSlide: false } });
    };
    // Idle 300 s, warning 60 s before: the window opens 120 s after the round trip.
    const before = blocked(T0 + 119_000);
    expect(before).toMatchObject({ status: 'active', extendOnNavigation: false, wakeAt: T0 + 120_000 });
    expect(blocked(T0 + 120_000)).toMatchObject({ status: 'active', extendOnNavigation: true });
    // Still during the warning: navigating is as clear a choice as "Continue".
    expect(blocked(T0 + 250_000)).toMatchObject({ status: 'warning', extendOnNavigation: true });
    // No activity since the round trip: nothing to extend for.
    expect(blocked(T0 + 130_000, T0 - 1)).toMatchObject({ extendOnNavigation: false });
    // Where the hidden iframe slides the session, the keep-alive does it: navigation stays plain.
    expect(decide(facts(T0 + 130_000))).toMatchObject({ extendOnNavigation: false });
  });
});
