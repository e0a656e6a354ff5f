import { describe, expect, it } from 'vitest';
import { renewalBreakdown, summarizeBreakdown } from '../src/breakdown.mjs';

// A page whose clock started at epoch 1,000,000 ms: page time t is epoch 1,000,000 + t.
const timeOrigin = 1_000_000;
const timeline = {
  ms: 100,
  timeOrigin,
  start: 500,
  end: 600,
  iframeAt: 510,
  messages: [{ at: 550, origin: 'http://idp.localhost:1' }],
  resources: [{ url: 'http://idp.localhost:1/oauth/token', initiatorType: 'fetch', startTime: 560, responseEnd: 590 }],
};
const authorize = { path: '/authorize', method: 'GET', navigation: true, startTime: timeOrigin + 515, responseEnd: 20 };
const token = { path: '/oauth/token', method: 'POST', navigation: false, startTime: timeOrigin + 561, responseEnd: 28 };

type Measured = Exclude<ReturnType<typeof renewalBreakdown>, { error: string }>;
/** The breakdown of a run that could be broken down (the test fails otherwise). */
function measured(b: ReturnType<typeof renewalBreakdown>): Measured {
  if (b.error) throw new Error(b.error);
  return b as Measured;
}

describe('renewalBreakdown', () => {
  it('splits a renewal into parts that add up to its duration, on the page clock', () => {
    const b = measured(renewalBreakdown(timeline, [authorize, token]));
    expect(b.parts).toEqual({
      sdkBefore: 10,
      navigation: 5,
      authorize: 20,
      message: 15,
      sdkBetween: 10,
      token: 30,
      sdkAfter: 10,
    });
    expect(Object.values(b.parts).reduce((a: number, c) => a + (c as number), 0)).toBe(100);
    expect(b.tokenLag).toBe(1);
    expect(b.otherRequests).toBe(0);
  });

  it('ends the authorize part at the message when the browser logged the body later, or never (aborted)', () => {
    const late = measured(renewalBreakdown(timeline, [{ ...authorize, responseEnd: 50 }, token]));
    expect(late.parts.authorize).toBe(35);
    expect(late.parts.message).toBe(0);
    const aborted = measured(renewalBreakdown(timeline, [{ ...authorize, responseEnd: 12, aborted: true }, token]));
    expect(aborted.parts.authorize).toBe(12);
    expect(aborted.aborted).toBe(true);
  });

  it('spans a redirect chain on the IdP and counts other IdP requests apart', () => {
    const hop = { ...authorize, path: '/authorize/resume', startTime: timeOrigin + 530, responseEnd: 10 };
    const discovery = {
      path: '/.well-known/openid-configuration',
      method: 'GET',
      navigation: false,
      startTime: timeOrigin + 505,
      responseEnd: 2,
    };
    const b = measured(renewalBreakdown(timeline, [discovery, authorize, hop, token]));
    expect(b.parts.authorize).toBe(25);
    expect(b.otherRequests).toBe(1);
  });

  it('says what is missing instead of inventing a part', () => {
    expect(renewalBreakdown(timeline, [authorize]).error).toMatch(/oauth\/token/);
    expect(renewalBreakdown(timeline, [token]).error).toMatch(/not an iframe renewal/);
    expect(renewalBreakdown({ ...timeline, messages: [] }, [authorize, token]).error).toMatch(/no message/);
    expect(renewalBreakdown(timeline, [{ ...authorize, responseEnd: -1 }, token]).error).toMatch(/no response/);
  });
});

describe('summarizeBreakdown', () => {
  it('gives each part its median and its share of the sum of the medians, and counts the failed runs', () => {
    const ok = renewalBreakdown(timeline, [authorize, token]);
    const s = summarizeBreakdown([ok, ok, { error: 'no message reached the page after /authorize' }]);
    expect(s?.parts.message?.median).toBe(15);
    expect(s?.share.token).toBeCloseTo(0.3);
    expect(s?.sdkShare).toBeCloseTo(0.3);
    expect(s?.runs).toBe(2);
    expect(s?.failed).toBe(1);
    expect(s?.failures).toEqual(['no message reached the page after /authorize']);
    expect(summarizeBreakdown([{ error: 'x' }])).toBeUndefined();
  });
});
