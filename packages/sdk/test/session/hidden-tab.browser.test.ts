// A tab hidden for longer than the SSO idle timeout comes back: it must show the right state
// the moment it is visible, not when a timer gets round to it. The page's clock is Playwright's
// (installed before the app loads): it is paused while the tab is hidden, then moved past the
// deadline without firing a timer, as a laptop lid closed and opened again does.
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { type AppWindow, openTab, type Stack, signIn, snapshot, startStack, waitForStatus } from './browser-harness.js';

const IDLE_SECONDS = 8;
const COMPRESSED = {
  idp: { sessionIdleSeconds: IDLE_SECONDS, idTokenSeconds: 30, accessTokenSeconds: 30 },
  session: { ssoIdleTimeoutSeconds: IDLE_SECONDS, warnBeforeSeconds: 3, focusCheckThrottleSeconds: 0 },
};

declare const window: Window & AppWindow;

let stack: Stack | undefined;

afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** Emulates the tab going to the background or coming back (the real event, the real property). */
function setVisibility(page: Page, state: 'hidden' | 'visible') {
  return page.evaluate((s) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => s });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => s === 'hidden' });
    document.dispatchEvent(new Event('visibilitychange'));
    // Read in the same task as the event: no timer can have run in between.
    const { status, reason } = window.session.getSnapshot();
    return reason ? `${status}:${reason}` : status;
  }, state);
}

/** Pauses the page clock (no timer runs) and returns the page's current time. */
async function pauseClock(page: Page): Promise<number> {
  // A little ahead: the clock runs on while this call travels to the page.
  const at = (await page.evaluate(() => Date.now())) + 1_000;
  await page.clock.pauseAt(at);
  return at;
}

describe('a tab hidden longer than the SSO idle timeout', () => {
  it('alone: signed out with reason idle the moment it is visible again', async () => {
    stack = await startStack({ thirdPartyCookies: true, ...COMPRESSED });
    await stack.browser.context.clock.install();
    const a = await openTab(stack, stack.siteA.origin);
    await signIn(a, stack.siteA.origin);
    await waitForStatus(a, 'active');
    const t0 = await pauseClock(a);
    expect(await setVisibility(a, 'hidden')).toBe('active');
    await a.clock.setSystemTime(t0 + (IDLE_SECONDS + 12) * 1000);
    // Still paused: whatever the tab shows now comes from the visibility change itself.
    expect(await setVisibility(a, 'visible')).toBe('expired:idle');
    await a.clock.resume();
    await waitForStatus(a, 'expired:idle');
    expect(await a.evaluate(() => window.client.isAuthenticated())).toBe(false);
  });

  it('while another tab of the site had input: still signed in the moment it is visible again', async () => {
    // Real compressed time here: B's input slides the provider's session through B's own
    // renewals, which need B's timers to run.
    stack = await startStack({ thirdPartyCookies: true, ...COMPRESSED });
    const a = await openTab(stack, stack.siteA.origin);
    await signIn(a, stack.siteA.origin);
    const b = await openTab(stack, stack.siteA.origin);
    await Promise.all([waitForStatus(a, 'active'), waitForStatus(b, 'active')]);
    expect(await setVisibility(a, 'hidden')).toBe('active');
    const deadlineWhenHidden = (await snapshot(a)).ssoIdleDeadline as number;
    // Input in B, paced like a person, until A's deadline at the time it was hidden is well past.
    for (let i = 0; (await b.evaluate(() => Date.now())) < deadlineWhenHidden + 2_000; i++) {
      await b.mouse.move(20 + (i % 50) * 5, 30 + (i % 7) * 10);
      await b.waitForTimeout(400);
    }
    expect(await setVisibility(a, 'visible')).toBe('active');
    expect(await a.evaluate(() => window.client.isAuthenticated())).toBe(true);
    expect((await snapshot(a)).ssoIdleDeadline).toBeGreaterThan(deadlineWhenHidden);
  });
});
