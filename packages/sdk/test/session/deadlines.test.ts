import { describe, expect, it } from 'vitest';
import { computeDeadlines, keepAliveAt } from '../../src/session/deadlines.js';
import { instantsAtStart, merge, readShared, sanitize } from '../../src/session/shared-state.js';
import { DeadlineTimer, MAX_TIMEOUT_MS } from '../../src/session/timer.js';
import { FakeBrowser } from './fakes.js';

const S = 1000;
const DAY = 86_400 * S;
const timing = { ssoIdleMs: 300 * S, absoluteMs: undefined, appIdleMs: undefined, warnBeforeMs: 60 * S, renewBeforeMs: 30 * S };
const times = { providerRoundTripAt: 0, loginAt: 0, lastActivityAt: undefined, tokenIssuedAt: 0, tokenExpiresAt: 150 * S };

describe('computeDeadlines', () => {
  it('puts the SSO deadline at the round trip plus the idle timeout, warning before it', () => {
    expect(computeDeadlines(times, timing)).toMatchObject({
      ssoIdleDeadline: 300 * S,
      deadline: 300 * S,
      warnAt: 240 * S,
      warningFor: 'sso_idle',
      tokenRenewAt: 120 * S,
      ssoRenewAt: 210 * S,
    });
  });

  it('caps the SSO deadline by the absolute timeout, and then does not try to slide it', () => {
    const d = computeDeadlines({ ...times, providerRoundTripAt: 900 * S }, { ...timing, absoluteMs: 1000 * S });
    expect(d).toMatchObject({
      ssoIdleDeadline: 1000 * S,
      absoluteDeadline: 1000 * S,
      warningFor: 'absolute',
      ssoRenewAt: undefined,
    });
  });

  it('takes the app’s own idle limit from the latest activity', () => {
    const d = computeDeadlines({ ...times, lastActivityAt: 50 * S }, { ...timing, ssoIdleMs: 100 * DAY, appIdleMs: 120 * S });
    expect(d).toMatchObject({ appIdleDeadline: 170 * S, deadline: 170 * S, warningFor: 'app_idle' });
  });

  it('never renews earlier than halfway through a short lifetime', () => {
    const d = computeDeadlines({ ...times, tokenExpiresAt: 4 * S }, { ...timing, ssoIdleMs: 8 * S, warnBeforeMs: 3 * S });
    expect(d.tokenRenewAt).toBe(2 * S);
    expect(d.ssoRenewAt).toBe(2.5 * S);
  });
});

describe('keepAliveAt', () => {
  const d = computeDeadlines(times, timing);
  const facts = {
    activityAt: 10 * S,
    localActivityAt: 10 * S,
    tokenIssuedAt: 0,
    providerRoundTripAt: 0,
    canSlide: true,
    lastAttemptAt: undefined,
  };

  it('is due before the tokens expire for a user active since they were issued', () => {
    expect(keepAliveAt(d, facts)).toBe(120 * S);
  });

  it('is never due for an idle user', () => {
    expect(keepAliveAt(d, { ...facts, activityAt: undefined })).toBeUndefined();
    expect(keepAliveAt(d, { ...facts, tokenIssuedAt: 20 * S, providerRoundTripAt: 20 * S })).toBeUndefined();
  });

  it('lets the tab with the input go first, and backs off after a failure', () => {
    expect(keepAliveAt(d, { ...facts, localActivityAt: 5 * S })).toBe(121.5 * S);
    expect(keepAliveAt(d, { ...facts, lastAttemptAt: 119 * S })).toBe(124 * S);
  });
});

describe('DeadlineTimer', () => {
  it('reaches a deadline 60 days away through links no longer than 2^31-1 ms, firing once', async () => {
    const { clock } = new FakeBrowser();
    const fired: number[] = [];
    const timer = new DeadlineTimer(
      {
        ...new FakeBrowser().tab().platform,
        now: () => clock.now,
        setTimeout: clock.setTimeout,
        clearTimeout: clock.clearTimeout,
      },
      () => fired.push(clock.now),
    );
    const at = clock.now + 60 * DAY;
    timer.arm(at);
    await clock.advance(61 * DAY);
    expect(fired).toEqual([at]);
    expect(clock.delays.length).toBe(3);
    expect(Math.max(...clock.delays)).toBe(MAX_TIMEOUT_MS);
  });

  it('disarms', async () => {
    const { clock } = new FakeBrowser();
    let fired = 0;
    const timer = new DeadlineTimer(
      {
        ...new FakeBrowser().tab().platform,
        now: () => clock.now,
        setTimeout: clock.setTimeout,
        clearTimeout: clock.clearTimeout,
      },
      () => fired++,
    );
    timer.arm(clock.now + 1000);
    timer.disarm();
    await clock.advance(2000);
    expect(fired).toBe(0);
    expect(clock.timers.size).toBe(0);
  });
});

describe('shared state', () => {
  it('merges instants by maximum and the strategy by its timestamp, keeping the object when nothing changed', () => {
    const a = {
      providerRoundTripAt: 10,
      lastActivityAt: 20,
      strategy: 'iframe' as const,
      providerReachable: true,
      strategyAt: 5,
    };
    expect(merge(a, { providerRoundTripAt: 5, lastActivityAt: 30 })).toMatchObject({
      providerRoundTripAt: 10,
      lastActivityAt: 30,
    });
    expect(merge(a, { strategy: 'refresh_token', providerReachable: false, strategyAt: 4 }).strategy).toBe('iframe');
    expect(merge(a, { strategy: 'refresh_token', providerReachable: false, strategyAt: 6 }).strategy).toBe('refresh_token');
    expect(merge(a, { providerRoundTripAt: 1 })).toBe(a);
  });

  it('reads corrupted or foreign storage as nothing, never throwing', () => {
    const storage = (value: string) => ({ getItem: () => value, setItem: () => {}, removeItem: () => {} });
    expect(readShared(storage('{not json'), 'k')).toEqual({});
    expect(sanitize({ providerRoundTripAt: '5', strategy: 'magic', __proto__: { x: 1 } })).toEqual({
      providerRoundTripAt: undefined,
      loginAt: undefined,
      lastActivityAt: undefined,
      strategyAt: undefined,
    });
    const throwing = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {},
      removeItem: () => {},
    };
    expect(readShared(throwing, 'k')).toEqual({});
  });

  it('starts from the shared view of the same session, and from the ID token for a new one', () => {
    const shared = { providerRoundTripAt: 100 * S, loginAt: 50 * S };
    expect(instantsAtStart(shared, { iat: 150, auth_time: 50 }, 300 * S)).toEqual({
      providerRoundTripAt: 100 * S,
      loginAt: 50 * S,
    });
    expect(instantsAtStart(shared, { iat: 1000, auth_time: 1000 }, 300 * S)).toEqual({
      providerRoundTripAt: 1000 * S,
      loginAt: 1000 * S,
    });
    expect(instantsAtStart({}, { iat: 70 }, 300 * S)).toEqual({ providerRoundTripAt: 70 * S, loginAt: 70 * S });
  });
});
