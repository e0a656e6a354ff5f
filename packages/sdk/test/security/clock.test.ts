import { describe, expect } from 'vitest';
import { securitySuite } from './cases.js';
import { type Armed, armed, expectCode, expectNothingKept, startLogin } from './helpers.js';

const securityCase = securitySuite(import.meta.url, 'unit');

/** A world whose provider clock is `skewMs` ahead of the device clock (negative: behind). */
function skewed(skewMs: number, options = {}): Armed {
  let w: Armed | undefined;
  w = armed(options, { now: () => (w?.browser.time ?? 0) + skewMs });
  return w;
}

describe('(h) clock skew', () => {
  securityCase('H1', 'a device clock off within the leeway is accepted, both ways', async () => {
    for (const skew of [55_000, -55_000]) {
      const w = skewed(skew);
      await w.login();
      expect(await w.client.isAuthenticated()).toBe(true);
    }
  });

  securityCase(
    'H1',
    'a device clock off by hours: one clock_skew error with the hint, nothing stored, no renewal loop',
    async () => {
      for (const skew of [3 * 3600_000, -3 * 3600_000]) {
        const w = skewed(skew);
        const login = await startLogin(w);
        w.tab.url = w.op.callbackUrl(login.url);
        const e = await expectCode(w.client.handleRedirectCallback(), 'clock_skew', w.wire);
        expect(String(e.message)).toMatch(/clock/);
        await expectNothingKept(w);
        // Silent renewal: one attempt per call, nothing scheduled behind the caller's back.
        await expectCode(w.client.getTokenSilently(), 'clock_skew', w.wire);
        expect(w.tab.frames).toHaveLength(1);
        expect(w.wire.tokenRequests).toHaveLength(2);
        expect(w.browser.pendingTimers).toBe(0);
        w.browser.advance(3600_000);
        expect(w.tab.frames).toHaveLength(1);
        expect(w.events.filter((x) => x.type === 'renewal_failed')).toEqual([
          { type: 'renewal_failed', code: 'clock_skew', at: expect.any(Number) },
        ]);
      }
    },
  );

  securityCase('H2', "expiry comes from expires_in and the local receipt time, not the provider's clock", async () => {
    // The provider is 50 s ahead: exp-based expiry would end the pair 50 s early.
    const w = skewed(50_000, {}); // idTokenSeconds/accessTokenSeconds 150 → fresh until receipt + 135 s
    await w.login();
    const token = await w.client.getTokenSilently();
    w.browser.advance(130_000);
    expect(await w.client.getTokenSilently()).toBe(token);
    expect(w.tab.frames).toHaveLength(0);
    w.browser.advance(6_000);
    expect(await w.client.getTokenSilently()).not.toBe(token);
    expect(w.tab.frames).toHaveLength(1);
  });

  securityCase('H2', 'sleep and resume, or a clock jump either way: one renewal for many callers, no storm', async () => {
    for (const jump of [6 * 3600_000, -2 * 3600_000]) {
      const w = armed();
      await w.login();
      const token = await w.client.getTokenSilently();
      w.browser.time += jump; // the device slept (or its clock was set back); no timer fired meanwhile
      const tokens = await Promise.all(Array.from({ length: 20 }, () => w.client.getTokenSilently()));
      expect(new Set(tokens).size).toBe(1);
      expect(tokens[0]).not.toBe(token);
      expect(w.tab.frames).toHaveLength(1);
      // The renewed pair is fresh at the new time: further calls are cache hits.
      await Promise.all(Array.from({ length: 5 }, () => w.client.getTokenSilently()));
      expect(w.tab.frames).toHaveLength(1);
      expect(w.browser.pendingTimers).toBe(0);
    }
  });
});
