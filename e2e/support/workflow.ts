import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectSignedIn,
  expectSignedOut,
  expectTokenType,
  type Regime,
  sessionStatus,
  timings,
  World,
  warningDialog,
} from './world.js';

/**
 * Per-step limit. A step lives through real idle periods and token lifetimes (step 2: 2.5 idle
 * periods of activity) and round trips through the provider; on a loaded 2-core machine that
 * takes several times as long as on a quiet one. A hang still fails, later.
 */
const STEP_TIMEOUT_MS = 180_000;

/** What a `M:SS` or `S s` / `M min SS s` countdown says, in seconds; undefined when there is none. */
function seconds(text: string | null | undefined): number | undefined {
  const clock = /(\d+):(\d\d)/.exec(text ?? '');
  if (clock) return Number(clock[1]) * 60 + Number(clock[2]);
  const words = /^(?:(\d+) min )?(\d+) s$/.exec(text?.trim() ?? '');
  return words ? Number(words[1] ?? 0) * 60 + Number(words[2]) : undefined;
}

/**
 * The user chooses "Continue" in the idle warning and waits until the SSO session really was
 * extended: the session panel's idle deadline lies beyond what the warning counted down from.
 * Where Continue is a top-level round trip through the provider, that is only true once the tab
 * is back from it (the page before the navigation still shows the user signed in, and a click
 * meant for the page after could land in the callback page meanwhile).
 */
async function answerWarning(tab: Page): Promise<void> {
  const left = seconds(
    await warningDialog(tab)
      .textContent({ timeout: 1_000 })
      .catch(() => null),
  );
  await warningDialog(tab)
    .getByRole('button', { name: 'Continue' })
    .click({ timeout: 5_000 })
    .catch(async (error: unknown) => {
      // Continuing in another tab closes the warning here too: then there is nothing to click.
      if (
        await warningDialog(tab)
          .isVisible()
          .catch(() => false)
      )
        throw error;
    });
  await expectSignedIn(tab);
  await expect
    .poll(async () => ({
      path: new URL(tab.url()).pathname,
      extended:
        (seconds(
          await tab
            .getByTestId('sso-deadline')
            .textContent({ timeout: 1_000 })
            .catch(() => null),
        ) ?? 0) > (left ?? 0),
    }))
    .toEqual({ path: expect.not.stringMatching(/^\/callback$/), extended: true });
  await expectSignedIn(tab);
}

/**
 * Clicks like a person who answers the idle warning when it is in the way: without
 * third-party cookies it comes up once per idle period even for an active user.
 */
export async function clickThroughWarnings(tab: Page, target: Locator): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    if (
      await warningDialog(tab)
        .isVisible()
        .catch(() => false)
    )
      await answerWarning(tab);
    try {
      await target.click({ timeout: 3_000 });
      return;
    } catch {
      // The warning came up (or the tab was passing through the provider): answer it, retry.
    }
  }
  await target.click({ timeout: 3_000 });
}

/**
 * The six steps of the workflow (listed in the README's "The demo: the six steps of the
 * workflow": initial authentication, maintaining the session, seamless SSO, idle warning,
 * explicit logout, returning) across two real sites and a real provider, in one browser
 * profile. The steps run in the order a person meets them; each asserts what the user sees and what the provider knows (its session deadlines, from the dev IdP's
 * introspection). Both cookie regimes run the same steps: where a step cannot fully hold
 * without third-party cookies, the test pins down exactly what the user gets instead. Site A
 * is the demo's DPoP site (tokens bound to a key its tabs share, ID token signatures checked)
 * and site B its Bearer site, so every step runs both kinds of token.
 */
export function defineWorkflow(regime: Regime): void {
  describe(`workflow, ${regime.label}`, () => {
    let world: World;
    let a1: Page;
    let a2: Page;
    let b: Page;
    /** The thumbprint of the key site A's tokens are bound to, from its session panel. */
    let keyA: string | null = null;
    const summary: string[] = [];

    beforeAll(async () => {
      world = await World.start(regime);
    });
    afterAll(async () => {
      console.log(`\nWorkflow, ${regime.label}:\n${summary.map((line) => `  ${line}`).join('\n')}\n`);
      await world?.close();
    });

    const step = (name: string, body: () => Promise<void>) =>
      it(
        name,
        async ({ onTestFailed }) => {
          onTestFailed(async () => {
            summary.push(`✗ ${name}`);
            await world.saveArtifacts(name);
          });
          await body();
          summary.push(`✓ ${name}`);
        },
        STEP_TIMEOUT_MS,
      );

    step('1. initial authentication: a deep link to a protected page logs in and comes back to it', async () => {
      a1 = await world.newTab('A1');
      await a1.goto(`${world.demo.siteA}/orders?from=email`);
      await world.signIn(a1);
      await a1.getByTestId('orders-title').waitFor();
      const url = new URL(a1.url());
      expect(url.pathname + url.search).toBe('/orders?from=email');
      expect(url.searchParams.has('code') || url.searchParams.has('state')).toBe(false);
      await expectSignedIn(a1);
      expect(await world.sessions()).toHaveLength(1);
      expect(world.loginForms).toHaveLength(1);
      // Site A's tokens are DPoP-bound: the panel says so and names the key.
      expect(world.dpopSite).toBe(world.demo.siteA);
      keyA = (await expectTokenType(a1, 'DPoP')).jkt;
    });

    step('3. seamless SSO: site B signs in without a login form', async () => {
      const [before] = await world.sessions();
      b = await world.newTab('B');
      await b.goto(`${world.demo.siteB}/`);
      await expectSignedIn(b);
      expect(world.loginForms).toHaveLength(1);
      await expectTokenType(b, 'Bearer');
      const sessions = await world.sessions();
      expect(sessions).toHaveLength(1);
      // B's round trip through the authorization endpoint slid the SSO session.
      expect(sessions[0]!.idleExpiresAt).toBeGreaterThanOrEqual(before!.idleExpiresAt);
    });

    step('5. explicit logout on A: every tab of A signs out at once, the SSO session ends, B notices', async () => {
      a2 = await world.newTab('A2');
      await a2.goto(`${world.demo.siteA}/`);
      await expectSignedIn(a2);
      // A's second tab got tokens of its own, bound to the key both tabs share.
      expect((await expectTokenType(a2, 'DPoP')).jkt).toBe(keyA);
      // Back to B just before the logout, so B is signed in and not yet idle when A logs out.
      await b.goto(`${world.demo.siteB}/`);
      await expectSignedIn(b);
      await a1.getByRole('button', { name: 'Log out' }).click();
      await a1.waitForURL((url) => url.origin === world.demo.siteA && url.pathname === '/');
      await expectSignedOut(a1);
      // The other tab learns it from the SDK's broadcast, without a round trip.
      await expectSignedOut(a2, 3_000);
      expect(await world.sessions()).toHaveLength(0);
      // B still holds tokens until its next contact with the provider: coming back to B is one.
      await b.bringToFront();
      // Headless Chromium keeps every tab visible and focused and fires no focus events when
      // tabs change, so deliver the one the browser fires when a person switches back.
      await b.evaluate(() => window.dispatchEvent(new FocusEvent('focus')));
      await expectSignedOut(b);
      await expect.poll(() => sessionStatus(b).textContent()).toMatch(/expired|signed_out/);
      expect(await b.getByTestId('timeline').textContent()).toContain('ended_elsewhere');
    });

    step('6. returning to A after logout asks for credentials again', async () => {
      await a1.goto(`${world.demo.siteA}/`);
      await expectSignedOut(a1);
      const formsBefore = world.loginForms.length;
      await a1.goto(`${world.demo.siteA}/orders`);
      await world.signIn(a1);
      expect(world.loginForms).toHaveLength(formsBefore + 1);
      await a1.getByTestId('orders-title').waitFor();
      await expectSignedIn(a1);
      // The logout dropped the key: this session's tokens are bound to a new one.
      const { jkt } = await expectTokenType(a1, 'DPoP');
      expect(jkt).not.toBe(keyA);
      keyA = jkt;
    });

    step('2. maintaining the session: an active user stays signed in across many token lifetimes', async () => {
      await a2.goto(`${world.demo.siteA}/`);
      await expectSignedIn(a2);
      const formsBefore = world.loginForms.length;
      const statuses = new Set<string>();
      let continued = 0;
      // Input in the second tab only: activity is shared by every tab of the site.
      const seconds = timings.ssoIdleSeconds * 2.5;
      const started = Date.now();
      let moves = 0;
      let apiAnswered = false;
      while (Date.now() - started < seconds * 1000) {
        // A tab may be on its way through the provider (top-level continue): input can miss it.
        await a2.mouse.move(200 + (moves % 10) * 13, 300 + (moves++ % 7) * 11).catch(() => {});
        for (const tab of [a1, a2]) {
          if (
            await warningDialog(tab)
              .isVisible()
              .catch(() => false)
          ) {
            await answerWarning(tab);
            continued += 1;
          }
          statuses.add(
            (await sessionStatus(tab)
              .textContent({ timeout: 1_000 })
              .catch(() => 'navigating')) ?? '',
          );
        }
        // Well past two token lifetimes, the active tab calls the API with a token from
        // getTokenSilently(), which must be valid without the caller handling expiry.
        if (!apiAnswered && Date.now() - started > timings.tokenSeconds * 2500) {
          await clickThroughWarnings(a2, a2.getByRole('link', { name: 'External API' }));
          // Where cookies are blocked the link may go through the provider (extend on
          // navigation): the API page then comes after a top-level round trip.
          await a2.getByTestId('call-api').waitFor({ timeout: 30_000 });
          await clickThroughWarnings(a2, a2.getByTestId('call-api'));
          await expect
            .poll(() =>
              a2
                .getByTestId('api-result')
                .textContent()
                .catch(() => ''),
            )
            .toContain('"sub": "alice"');
          // The API verified a DPoP proof by the key the panel shows.
          const answer = JSON.parse((await a2.getByTestId('api-result').textContent()) ?? '{}');
          expect(answer).toMatchObject({ tokenType: 'DPoP', jkt: keyA });
          apiAnswered = true;
        }
        await a2.waitForTimeout(250).catch(() => {});
      }
      expect(apiAnswered).toBe(true);
      expect(world.loginForms).toHaveLength(formsBefore);
      // Every code exchange and refresh of A proved possession of the key; none of B's did.
      expect(world.tokenProofs()).toEqual({
        dpopSite: expect.stringMatching(/^[1-9]\d* with a proof, 0 without$/),
        otherSite: expect.stringMatching(/^0 with a proof, [1-9]\d* without$/),
      });
      if (regime.thirdPartyCookies) {
        // Renewals through the hidden iframe keep sliding the SSO session: no warning at all.
        expect([...statuses]).toEqual(['active']);
      } else {
        // The SSO session cannot be slid silently, and refresh grants do not slide it, so an
        // active user is asked once per idle period; "Continue" is one top-level prompt=none
        // round trip through the provider, with no form, back to the same page.
        expect(continued).toBeGreaterThanOrEqual(1);
        expect([...statuses].filter((status) => !['active', 'warning', 'navigating'].includes(status))).toEqual([]);
        expect(await a1.getByTestId('strategy').textContent()).toContain('not reachable silently');
      }
      // Either way the SSO session at the provider is alive and has slid past its first deadline.
      const sessions = await world.sessions();
      expect(sessions).toHaveLength(1);
      expect(sessions[0]!.idleExpiresAt * 1000).toBeGreaterThan(started + timings.ssoIdleSeconds * 1000);
    });

    step('4. idle warning, continue: the warning shows in every tab; continuing extends the SSO session', async () => {
      // Nobody touches either tab from here on.
      await expectSignedIn(a1);
      await warningDialog(a1).waitFor({ timeout: timings.ssoIdleSeconds * 2000 });
      await warningDialog(a2).waitFor({ timeout: 5_000 });
      const [before] = await world.sessions();
      await warningDialog(a2).getByRole('button', { name: 'Continue' }).click();
      await warningDialog(a1).waitFor({ state: 'hidden', timeout: 10_000 });
      await warningDialog(a2).waitFor({ state: 'hidden', timeout: 10_000 });
      await expectSignedIn(a1);
      await expectSignedIn(a2);
      await a1.screenshot({ path: `${world.artifactsDir}${regime.thirdPartyCookies ? 'allowed' : 'blocked'}-session-panel.png` });
      const [after] = await world.sessions();
      expect(after).toBeDefined();
      expect(after!.idleExpiresAt).toBeGreaterThan(before!.idleExpiresAt);
    });

    step('4. idle warning, ignored: at the deadline every tab of A signs out and the SSO session goes idle', async () => {
      await warningDialog(a1).waitFor({ timeout: timings.ssoIdleSeconds * 2000 });
      await expectSignedOut(a1, timings.ssoIdleSeconds * 2000);
      await expectSignedOut(a2, 5_000);
      expect(await sessionStatus(a1).textContent()).toBe('expired');
      expect(await a1.getByTestId('timeline').textContent()).toContain('idle');
      await expect.poll(() => world.sessions(), { timeout: timings.ssoIdleSeconds * 1000 }).toHaveLength(0);
    });
  });
}
