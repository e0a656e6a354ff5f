import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectSignedIn, type Regime, timings, World, warningDialog } from './world.js';

/** Idle periods the active user lives through. */
const PERIODS = 6;
/** The in-app links the user follows, in turn. */
const LINKS = ['Orders', 'External API', 'Home'];

/**
 * Issue 18's promise where third-party cookies are blocked: an active user who navigates in
 * the app now and then never meets the idle warning or a login form. The SSO session cannot be
 * slid silently here, so their navigations go through the provider (one top-level `prompt=none`
 * round trip each, no form), and the provider's idle deadline keeps moving.
 */
export function defineNavigationExtension(regime: Regime): void {
  describe(`extend on navigation, ${regime.label}`, () => {
    let world: World;
    beforeAll(async () => {
      world = await World.start(regime);
    });
    afterAll(async () => {
      await world?.close();
    });

    it(`an active user navigating now and then for ${PERIODS} idle periods sees no warning and no form; site B then signs in without one`, async () => {
      const a = await world.newTab('A');
      await a.goto(`${world.demo.siteA}/orders`);
      await world.signIn(a);
      await expectSignedIn(a);
      const forms = world.loginForms.length;
      const started = Date.now();
      const [first] = await world.sessions();
      let warnings = 0;
      let clicks = 0;
      let moves = 0;
      while (Date.now() - started < PERIODS * timings.ssoIdleSeconds * 1000) {
        // Input now and then, and an in-app link every second and a half or so.
        await a.mouse.move(150 + (moves % 10) * 17, 260 + (moves++ % 7) * 13).catch(() => {});
        if (moves % 6 === 0) {
          const link = a.getByRole('navigation').getByRole('link', { name: LINKS[clicks++ % LINKS.length] });
          // A tab on its way through the provider has no links for a moment: the next try finds them.
          await link.click({ timeout: 1_000 }).catch(() => {});
        }
        if (
          await warningDialog(a)
            .isVisible()
            .catch(() => false)
        )
          warnings += 1;
        await a.waitForTimeout(250).catch(() => {});
      }
      await expectSignedIn(a);
      expect(warnings).toBe(0);
      expect(world.loginForms).toHaveLength(forms);
      // The provider's idle deadline moved with the user, period after period.
      const [last] = await world.sessions();
      expect(last!.idleExpiresAt).toBeGreaterThan(first!.idleExpiresAt + (PERIODS - 2) * timings.ssoIdleSeconds);
      const roundTrips = world.providerRequests.filter(
        (r) => r.topLevel && r.endpoint === 'authorize' && r.at >= started && r.site === world.demo.siteA,
      ).length;
      console.log(`[figure] extend on navigation: ${roundTrips} top-level round trips in ${PERIODS} idle periods`);
      expect(roundTrips).toBeGreaterThanOrEqual(PERIODS - 1);
      expect(await a.getByTestId('timeline').textContent()).toContain('on navigation');

      const b = await world.newTab('B');
      await b.goto(`${world.demo.siteB}/`);
      await expectSignedIn(b);
      expect(world.loginForms).toHaveLength(forms);
    }, 240_000);
  });
}
