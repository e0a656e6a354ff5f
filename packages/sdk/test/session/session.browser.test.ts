import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type AppWindow,
  openTab,
  realFocus,
  type Stack,
  signIn,
  snapshot,
  startStack,
  waitForStatus,
} from './browser-harness.js';

// Compressed timings: an 8 s SSO idle timeout at the IdP and in the SDK, 4 s tokens, a 3 s
// warning. Each test gets its own IdP, sites and Chromium profile.
const COMPRESSED = {
  idp: { sessionIdleSeconds: 8, idTokenSeconds: 4, accessTokenSeconds: 4 },
  session: { ssoIdleTimeoutSeconds: 8, warnBeforeSeconds: 3, renewBeforeExpirySeconds: 2, focusCheckThrottleSeconds: 0 },
};

declare const window: Window & AppWindow;

let stack: Stack | undefined;

afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function idpSession(s: Stack) {
  const sessions = await s.idp.listSessions();
  expect(sessions).toHaveLength(1);
  return sessions[0]!;
}

const dialogShown = (page: Page) => page.getByRole('alertdialog').isVisible();

describe('session management in Chromium against the dev IdP', () => {
  it('two tabs share activity, and input in one keeps the SSO session sliding past its idle timeout', async () => {
    stack = await startStack({ thirdPartyCookies: true, ...COMPRESSED });
    const a = await openTab(stack, stack.siteA.origin);
    await signIn(a, stack.siteA.origin);
    await waitForStatus(a, 'active');
    const b = await openTab(stack, stack.siteA.origin);
    await waitForStatus(b, 'active');
    const first = await idpSession(stack);

    // Input in tab B only, for longer than the idle timeout.
    const statuses = new Set<string>();
    const until = Date.now() + 12_000;
    for (let i = 0; Date.now() < until; i++) {
      await b.mouse.move(20 + (i % 50) * 5, 30 + (i % 7) * 10);
      await b.waitForTimeout(500);
      statuses.add((await snapshot(a)).status).add((await snapshot(b)).status);
    }
    expect([...statuses]).toEqual(['active']);
    // Tab A sees B's activity.
    await expect.poll(async () => (await snapshot(a)).lastActivityAt).toBe((await snapshot(b)).lastActivityAt);
    // The provider's session was slid by silent round trips: it outlived its first deadline.
    const later = await idpSession(stack);
    expect(later.id).toBe(first.id);
    expect(later.idleExpiresAt).toBeGreaterThan(first.idleExpiresAt + 4);
    const sa = await snapshot(a);
    expect(sa.strategy).toBe('iframe');
    expect(sa.providerReachable).toBe(true);
    // The site's view never claims more than the provider granted.
    expect(sa.ssoIdleDeadline!).toBeLessThanOrEqual(later.idleExpiresAt * 1000 + 1000);
  });

  it('warns in both tabs; Continue in one clears both and moves the provider’s session deadline', async () => {
    stack = await startStack({ thirdPartyCookies: true, ...COMPRESSED });
    const a = await openTab(stack, stack.siteA.origin);
    await signIn(a, stack.siteA.origin);
    const b = await openTab(stack, stack.siteA.origin);
    await Promise.all([waitForStatus(a, 'warning'), waitForStatus(b, 'warning')]);
    expect(await dialogShown(a)).toBe(true);
    expect(await dialogShown(b)).toBe(true);
    const before = await idpSession(stack);
    // Focus is in the dialog, on Continue, and Tab keeps it there.
    const focused = (page: Page) =>
      page.evaluate(() => document.querySelector('sso-session-dialog')?.shadowRoot?.activeElement?.textContent);
    expect(await focused(a)).toBe('Continue');
    await a.keyboard.press('Tab');
    expect(await focused(a)).toBe('Log out');
    await a.keyboard.press('Tab');
    expect(await focused(a)).toBe('Continue');
    expect((await snapshot(a)).status).toBe('warning');

    await b.getByRole('button', { name: 'Continue' }).click();
    await Promise.all([waitForStatus(a, 'active', 10_000), waitForStatus(b, 'active', 10_000)]);
    expect(await dialogShown(a)).toBe(false);
    expect(await dialogShown(b)).toBe(false);
    const after = await idpSession(stack);
    expect(after.idleExpiresAt).toBeGreaterThan(before.idleExpiresAt);
    const [sa, sb] = [await snapshot(a), await snapshot(b)];
    expect(sa.ssoIdleDeadline).toBe(sb.ssoIdleDeadline);
    expect(sa.ssoIdleDeadline!).toBeLessThanOrEqual(after.idleExpiresAt * 1000 + 1000);
  });

  it('ignoring the warning signs out both tabs', async () => {
    stack = await startStack({ thirdPartyCookies: true, ...COMPRESSED });
    const a = await openTab(stack, stack.siteA.origin);
    await signIn(a, stack.siteA.origin);
    const b = await openTab(stack, stack.siteA.origin);
    await Promise.all([waitForStatus(a, 'warning'), waitForStatus(b, 'warning')]);
    await Promise.all([waitForStatus(a, 'expired:idle'), waitForStatus(b, 'expired:idle')]);
    for (const page of [a, b]) {
      expect(await page.evaluate(() => window.client.isAuthenticated())).toBe(false);
      expect(await dialogShown(page)).toBe(false);
    }
  });

  it('notices on focus that the user logged out on the other site', async () => {
    stack = await startStack({
      thirdPartyCookies: true,
      idp: { sessionIdleSeconds: 60, idTokenSeconds: 30, accessTokenSeconds: 30 },
      session: { ssoIdleTimeoutSeconds: 60, warnBeforeSeconds: 10, focusCheckThrottleSeconds: 0 },
    });
    const a = await openTab(stack, stack.siteA.origin);
    await signIn(a, stack.siteA.origin);
    // Seamless SSO: site B signs in silently.
    const b = await openTab(stack, stack.siteB.origin);
    await waitForStatus(b, 'active');

    await a.bringToFront();
    await a.evaluate(() => {
      void window.session.logout({ logoutParams: { returnTo: `${location.origin}/` } });
    });
    await a.waitForURL((url) => url.origin === stack!.siteA.origin && url.pathname === '/');
    await waitForStatus(a, 'signed_out');
    expect(await stack.idp.listSessions()).toEqual([]);
    expect((await snapshot(b)).status).toBe('active');

    // Headless Chromium tells every page it has focus; with that emulation off, bringing
    // a tab to the front fires the real blur and focus events.
    await Promise.all([realFocus(a), realFocus(b)]);
    await b.bringToFront();
    await waitForStatus(b, 'expired:ended_elsewhere');
    expect((await snapshot(b)).events.map((e) => e.type)).toContain('focus_check');
    expect(await b.evaluate(() => window.client.isAuthenticated())).toBe(false);
  });

  it('with third-party cookies blocked, says the provider is unreachable, renews by refresh token and reports no extension', async () => {
    stack = await startStack({ thirdPartyCookies: false, useRefreshTokens: true, ...COMPRESSED });
    const a = await openTab(stack, stack.siteA.origin);
    await signIn(a, stack.siteA.origin);
    await a.waitForFunction(() => window.session.getSnapshot().strategy === 'refresh_token');
    const first = await snapshot(a);
    expect(first).toMatchObject({ status: 'active', providerReachable: false });
    const session = await idpSession(stack);
    // Input keeps tokens fresh by refresh token, but the SSO deadline stays where the login put it.
    while ((await snapshot(a)).status === 'active') {
      await a.mouse.move(10 + Math.random() * 100, 10 + Math.random() * 100);
      await a.waitForTimeout(400);
    }
    const warned = await snapshot(a);
    expect(warned).toMatchObject({ status: 'warning', ssoIdleDeadline: first.ssoIdleDeadline });
    expect(warned.events.some((e) => e.type === 'renewed' && e.detail === 'refresh_token')).toBe(true);
    expect(warned.ssoIdleDeadline!).toBeLessThanOrEqual(session.idleExpiresAt * 1000 + 1000);
  });
});
