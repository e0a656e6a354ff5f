// Token expiry notifications for apps that renew or warn themselves (oidc-client-ts's
// accessTokenExpiring / accessTokenExpired), re-armed by each new token, off at sign-out.
import { describe, expect, it } from 'vitest';
import { type TokenExpiryEvent, watchTokenExpiry } from '../../src/index.js';
import { world } from '../support/setup.js';

const watch = (w: ReturnType<typeof world>, seen: TokenExpiryEvent[]) =>
  watchTokenExpiry(w.client, (event) => seen.push(event), {
    expiringSeconds: 30,
    now: w.browser.now,
    setTimeout: (callback, ms) => w.browser.setTimeout(callback, ms),
    clearTimeout: (handle) => w.browser.clearTimeout(handle),
  });

describe('watchTokenExpiry', () => {
  it('tells expiring 30 s ahead and expired at the pair’s expiry, once per token', async () => {
    const w = world({}, { idTokenSeconds: 150, accessTokenSeconds: 120 });
    const seen: TokenExpiryEvent[] = [];
    watch(w, seen);
    await w.login();
    const expiresAt = w.browser.time + 120_000;
    w.browser.advance(89_000);
    expect(seen).toEqual([]);
    w.browser.advance(1_000);
    expect(seen).toEqual([{ type: 'expiring', expiresAt }]);
    w.browser.advance(30_000);
    expect(seen).toEqual([
      { type: 'expiring', expiresAt },
      { type: 'expired', expiresAt },
    ]);
  });

  it('a renewal re-arms it; a sign-out and stop() disarm it, leaving no timer', async () => {
    const w = world({}, { idTokenSeconds: 150, accessTokenSeconds: 150 });
    const seen: TokenExpiryEvent[] = [];
    const stop = watch(w, seen);
    await w.login();
    w.browser.advance(100_000);
    await w.client.getTokenSilently({ cacheMode: 'off' });
    w.browser.advance(100_000);
    expect(seen).toEqual([]);
    await w.client.logout({ openUrl: false });
    w.browser.advance(300_000);
    expect(seen).toEqual([]);
    await w.login();
    stop();
    expect(w.browser.pendingTimers).toBe(0);
  });
});
