import type { DemoTimings } from '@sso-spa/demo-server';
import type { Page } from 'playwright-core';
import { defaultBehaviour, type ProfileName, type ProviderBehaviour, profiles } from 'sso-spa-dev-idp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clickThroughWarnings } from './workflow.js';
import { expectSignedIn, expectSignedOut, expectTokenType, type Regime, sessionStatus, World, warningDialog } from './world.js';

/**
 * Per-step limit. A step lives through real idle periods and token lifetimes (step 2: 2.5 idle
 * periods of activity) and round trips through the provider; on a loaded 2-core machine that
 * takes several times as long as on a quiet one. A hang still fails, later.
 */
const STEP_TIMEOUT_MS = 180_000;

/**
 * The matrix's figures. Tokens live 8 s so that two API calls in a row fit in one token
 * lifetime on a loaded machine (the cache step), and renewal still comes within seconds. The
 * SSO session idles out after 20 s: on a provider whose silent frame only gives up after 2 s
 * (framed-login), login, B's sign-in and A's logout take over 12 s, and B must still be
 * signed in, not idle, when A logs out.
 */
export const matrixTimings: DemoTimings = { ssoIdleSeconds: 20, ssoAbsoluteSeconds: 3600, tokenSeconds: 8, warnBeforeSeconds: 6 };

/** What the provider does, as its profile documents it: the expectations follow from it. */
function behaviourOf(profile: ProfileName): ProviderBehaviour {
  return { ...defaultBehaviour, ...profiles[profile] };
}

/** Calls the demo API from the tab's "External API" page and waits for the answer the user sees. */
async function callApi(world: World, tab: Page): Promise<void> {
  const answered = tab.waitForResponse((response) => response.url().startsWith(`${world.demo.api}/api/messages`), {
    timeout: 20_000,
  });
  // The link that led here may have gone through the provider (extend on navigation, where
  // cookies are blocked): the page comes after that top-level round trip.
  await tab.getByTestId('call-api').waitFor({ timeout: 30_000 });
  await clickThroughWarnings(tab, tab.getByTestId('call-api'));
  await answered;
  await expect
    .poll(() =>
      tab
        .getByTestId('api-result')
        .textContent({ timeout: 1_000 })
        .catch(() => ''),
    )
    .toContain('"sub": "alice"');
}

/** Answers the idle warning with "Continue" when it is up (without third-party cookies it is, once per idle period). */
async function continueIfWarned(tab: Page): Promise<boolean> {
  if (
    !(await warningDialog(tab)
      .isVisible()
      .catch(() => false))
  )
    return false;
  await warningDialog(tab)
    .getByRole('button', { name: 'Continue' })
    .click({ timeout: 5_000 })
    .catch(() => {});
  await expectSignedIn(tab);
  return true;
}

/**
 * Before a click that must not meet the idle warning half-way (it would land on the dialog):
 * when the provider's SSO session idles out within the warning period plus a margin, the user
 * waits for the warning and continues, which gives a fresh idle period.
 */
async function clearOfIdleWarning(world: World, tab: Page): Promise<void> {
  const [session] = await world.sessions();
  if (!session) return;
  const left = session.idleExpiresAt * 1000 - Date.now();
  if (left > (matrixTimings.warnBeforeSeconds + 4) * 1000) return;
  await warningDialog(tab).waitFor({ timeout: Math.max(left, 0) + 5_000 });
  await continueIfWarned(tab);
}

/**
 * A reduced but real workflow against a provider profile (see the dev IdP's README), in one
 * cookie regime: login with a deep link, the token cache, SSO on a second site, logout noticed
 * by the other site, returning after logout, renewal while active, the idle end. The demo sites
 * are configured as the SDK's README recommends and never know which profile runs. Where the
 * provider makes a step impossible, the step asserts what the user gets instead (the
 * documented stand-in), never nothing.
 */
export function defineProfileWorkflow(profile: ProfileName, regime: Regime): void {
  const provider = behaviourOf(profile);
  // A provider that demands id_token_hint refuses prompt=none from a site that holds no ID token yet.
  const silentSsoOnNewSite = !provider.requireIdTokenHint;
  const providerLogout = provider.endSessionEndpoint;
  // B renews by refresh token when its iframe cannot reach the provider: if the provider spares
  // that token at logout, nothing B does tells it the SSO session ended.
  const otherSiteNoticesLogout = providerLogout && !(provider.refreshSurvivesLogout && !regime.thirdPartyCookies);
  // The page a logout lands on runs its top-level session check (checkSessionRedirect: true),
  // and a provider that ignores prompt=none (P3) answers it with its login form.
  const loginFormAfterLogout = provider.framedLoginPage;

  describe(`profile ${profile}, ${regime.label}`, () => {
    let world: World;
    let a: Page;
    let b: Page;
    const summary: string[] = [];

    beforeAll(async () => {
      world = await World.start(regime, matrixTimings, profile);
    });
    afterAll(async () => {
      console.log(`\nProfile ${profile}, ${regime.label}:\n${summary.map((line) => `  ${line}`).join('\n')}\n`);
      await world?.close();
    });

    const step = (name: string, body: () => Promise<void>) =>
      it(
        name,
        async ({ onTestFailed }) => {
          const started = Date.now();
          onTestFailed(async () => {
            summary.push(`✗ ${name}`);
            await world.saveArtifacts(name);
          });
          await body();
          summary.push(`✓ ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
        },
        STEP_TIMEOUT_MS,
      );

    step('login: a deep link to a protected page logs in and comes back to it', async () => {
      a = await world.newTab('A');
      await a.goto(`${world.demo.siteA}/orders?from=email`);
      await world.signIn(a);
      await a.getByTestId('orders-title').waitFor();
      const url = new URL(a.url());
      expect(url.pathname + url.search).toBe('/orders?from=email');
      await expectSignedIn(a);
      expect(await world.sessions()).toHaveLength(1);
      expect(world.loginForms).toHaveLength(1);
      // Site A's tokens are DPoP-bound with this provider too (its server nonces, where it asks for them, included).
      await expectTokenType(a, 'DPoP');
    });

    step('cache: the API call works, and a second call is a cache hit (no request to the provider)', async () => {
      await a.getByRole('link', { name: 'External API' }).click();
      await callApi(world, a);
      expect(JSON.parse((await a.getByTestId('api-result').textContent()) ?? '{}')).toMatchObject({ tokenType: 'DPoP' });
      const mark = world.providerRequests.length;
      await callApi(world, a);
      expect(world.providerRequests.slice(mark)).toEqual([]);
    });

    if (silentSsoOnNewSite) {
      step('SSO: site B signs in without a login form', async () => {
        b = await world.newTab('B');
        await b.goto(`${world.demo.siteB}/`);
        await expectSignedIn(b);
        expect(world.loginForms).toHaveLength(1);
        expect(await world.sessions()).toHaveLength(1);
      });
    } else {
      step('SSO stand-in: the provider refuses a silent sign-in without id_token_hint; "Log in" on B shows no form', async () => {
        b = await world.newTab('B');
        const mark = world.providerRequests.length;
        await b.goto(`${world.demo.siteB}/`);
        await expectSignedOut(b);
        // B did ask the provider silently, and got no code for want of a hint.
        const fromB = world.providerRequests.slice(mark).filter((request) => request.site === world.demo.siteB);
        expect(fromB.filter((request) => request.detail === 'none').length).toBeGreaterThan(0);
        expect(fromB.filter((request) => request.endpoint === 'token')).toEqual([]);
        await b.getByRole('button', { name: 'Log in' }).click();
        await expectSignedIn(b);
        expect(world.loginForms).toHaveLength(1);
        expect(await world.sessions()).toHaveLength(1);
      });
    }

    if (!providerLogout) {
      step(
        'logout stand-in: without an end-session endpoint A forgets its tokens and says the SSO session lives on, which it does',
        async () => {
          await clearOfIdleWarning(world, a);
          await clickThroughWarnings(a, a.getByRole('button', { name: 'Log out' }));
          await expect
            .poll(() =>
              a
                .getByTestId('provider-logout-not-supported')
                .isVisible()
                .catch(() => false),
            )
            .toBe(true);
          expect(new URL(a.url()).origin).toBe(world.demo.siteA);
          expect(await world.sessions()).toHaveLength(1);
          if (regime.thirdPartyCookies) {
            // The page logout lands on checks the session silently, and the provider's is alive:
            // the user is signed in again at once, which is what the note warns about.
            await expectSignedIn(a);
          } else {
            // This tab already made its one top-level check (at the first visit): it stays signed out.
            await expectSignedOut(a);
          }
          // B's next contact with the provider finds the session alive: B stays signed in.
          const mark = world.providerRequests.length;
          await b.bringToFront();
          await b.evaluate(() => window.dispatchEvent(new FocusEvent('focus')));
          await expect.poll(() => b.getByTestId('timeline').textContent()).toContain('focus check');
          await expect
            .poll(
              () =>
                world.providerRequests
                  .slice(mark)
                  .filter((request) => request.site === world.demo.siteB && request.status === 200).length,
            )
            .toBeGreaterThan(0);
          await expectSignedIn(b);
          expect(await sessionStatus(b).textContent()).toMatch(/active|warning/);
        },
      );

      step('return stand-in: signing in to A again needs no credentials, as the provider never signed out', async () => {
        await a.goto(`${world.demo.siteA}/orders`);
        await a.getByTestId('orders-title').waitFor({ timeout: 20_000 });
        await expectSignedIn(a);
        expect(world.loginForms).toHaveLength(1);
        expect(await world.sessions()).toHaveLength(1);
      });
    } else {
      step(
        otherSiteNoticesLogout
          ? `logout: A signs out${provider.logoutConfirmation ? ' (after the provider asks to confirm)' : ''}${loginFormAfterLogout ? ' (and lands on the login form)' : ''}, the SSO session ends, B notices`
          : 'logout stand-in: A signs out, the SSO session ends; B, whose refresh token the provider spares, keeps working until its own idle deadline',
        async () => {
          // B signed in moments ago and is not yet idle.
          await expectSignedIn(b);
          await clearOfIdleWarning(world, a);
          // What B asks the provider from here on (a renewal or its focus check) shows how it learns.
          const mark = world.providerRequests.length;
          await clickThroughWarnings(a, a.getByRole('button', { name: 'Log out' }));
          if (provider.logoutConfirmation) {
            await a.waitForURL((url) => url.origin === new URL(world.demo.issuer).origin);
            await a.getByRole('button', { name: 'Sign out' }).click();
          }
          await a.waitForURL((url) => url.origin === world.demo.siteA && url.pathname === '/');
          if (loginFormAfterLogout) {
            const forms = world.loginForms.length;
            await a.waitForURL((url) => world.showsLoginForm(url));
            await a.getByLabel('Email').waitFor();
            expect(world.loginForms).toHaveLength(forms + 1);
          } else {
            await expectSignedOut(a);
          }
          await expect.poll(() => world.sessions()).toHaveLength(0);
          await b.bringToFront();
          // Headless Chromium fires no focus event when tabs change: deliver the one a person's switch fires.
          await b.evaluate(() => window.dispatchEvent(new FocusEvent('focus')));
          if (otherSiteNoticesLogout) {
            await expectSignedOut(b);
            expect(await b.getByTestId('timeline').textContent()).toContain('ended_elsewhere');
            const fromB = world.providerRequests.slice(mark).filter((request) => request.site === world.demo.siteB);
            if (regime.thirdPartyCookies) {
              // B asked the provider silently, and the provider knew no session.
              expect(fromB.some((request) => request.endpoint === 'authorize' && request.detail === 'none')).toBe(true);
            } else {
              // B's refresh token went with the SSO session: the provider refused it.
              expect(fromB.some((request) => request.detail === 'refresh_token' && request.status === 400)).toBe(true);
            }
            return;
          }
          // B renews by refresh token (its focus check, or its tokens' expiry), and the provider, which spared it, says yes.
          await expect
            .poll(() =>
              world
                .tokenRequestsSince(mark)
                .some(
                  (request) => request.site === world.demo.siteB && request.detail === 'refresh_token' && request.status === 200,
                ),
            )
            .toBe(true);
          // So B stays signed in and its API calls still work.
          await b.getByRole('link', { name: 'External API' }).click();
          await callApi(world, b);
          await expectSignedIn(b);
          // Nobody uses B: its idle warning comes, and at its deadline B signs out.
          await warningDialog(b).waitFor({ timeout: matrixTimings.ssoIdleSeconds * 2000 });
          await expectSignedOut(b, matrixTimings.ssoIdleSeconds * 2000);
          expect(await sessionStatus(b).textContent()).toMatch(/expired|signed_out/);
        },
      );

      step('return: A after logout is signed out, and signing in asks for credentials', async () => {
        await a.goto(`${world.demo.siteA}/`);
        await expectSignedOut(a);
        const formsBefore = world.loginForms.length;
        await a.goto(`${world.demo.siteA}/orders`);
        await world.signIn(a);
        await a.getByTestId('orders-title').waitFor();
        await expectSignedIn(a);
        expect(world.loginForms).toHaveLength(formsBefore + 1);
        expect(await world.sessions()).toHaveLength(1);
      });
    }

    step('renewal: an active user gets new tokens after they expire, without a form', async () => {
      await clickThroughWarnings(a, a.getByRole('link', { name: 'External API' }));
      const formsBefore = world.loginForms.length;
      const mark = world.providerRequests.length;
      // Whatever A holds now expires by then; a token the provider issues later is a renewal.
      const expired = Date.now() + matrixTimings.tokenSeconds * 1000;
      let moves = 0;
      // Active on A (mouse input, and "Continue" if the idle warning asks) until the provider
      // has answered a token request after the tokens held at the start expired.
      await expect
        .poll(
          async () => {
            await a.mouse.move(200 + (moves % 10) * 13, 300 + (moves++ % 7) * 11).catch(() => {});
            await continueIfWarned(a);
            return world.tokenRequestsSince(mark).some((request) => request.at > expired && request.status === 200);
          },
          { timeout: matrixTimings.tokenSeconds * 4000, interval: 250 },
        )
        .toBe(true);
      // The API call takes its token from getAccessTokenSilently(): valid without the app handling expiry.
      await callApi(world, a);
      await expectSignedIn(a);
      expect(world.loginForms).toHaveLength(formsBefore);
      expect(await world.sessions()).toHaveLength(1);
    });

    step('idle end: the warning shows, then A signs out at the deadline and the SSO session goes idle', async () => {
      await warningDialog(a).waitFor({ timeout: matrixTimings.ssoIdleSeconds * 2000 });
      await expectSignedOut(a, matrixTimings.ssoIdleSeconds * 2000);
      expect(await sessionStatus(a).textContent()).toBe('expired');
      expect(await a.getByTestId('timeline').textContent()).toContain('idle');
      await expect.poll(() => world.sessions(), { timeout: matrixTimings.ssoIdleSeconds * 1000 }).toHaveLength(0);
    });
  });
}
