import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type Demo, type DemoTimings, defaultTimings, startDemo } from '@sso-spa/demo-server';
import { type LaunchedBrowser, launchChromium } from '@sso-spa/testkit';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/** The workflow's figures, compressed so that the whole suite runs in about a minute. */
// A 6 s warning leaves room for a top-level "Continue" on a loaded 2-core machine.
export const timings: DemoTimings = { ssoIdleSeconds: 12, ssoAbsoluteSeconds: 3600, tokenSeconds: 5, warnBeforeSeconds: 6 };

export interface Regime {
  label: string;
  thirdPartyCookies: boolean;
}

export const allowed: Regime = { label: 'third-party cookies allowed', thirdPartyCookies: true };
export const blocked: Regime = { label: 'third-party cookies blocked', thirdPartyCookies: false };

const artifacts = fileURLToPath(new URL('../test-results/', import.meta.url));

/** One browser profile (one user) and the whole demo topology, for one cookie regime. */
export class World {
  /** Every time a tab showed the provider's login form. */
  readonly loginForms: string[] = [];
  readonly consoleLines: string[] = [];
  readonly pages: Page[] = [];
  /** Screenshots and console logs go here (git-ignored). */
  readonly artifactsDir = artifacts;

  private constructor(
    readonly regime: Regime,
    readonly demo: Demo,
    readonly browser: LaunchedBrowser,
  ) {}

  /** `'default'` runs the workflow's own figures, as `npm start` does. */
  static async start(regime: Regime, figures: 'compressed' | 'default' = 'compressed'): Promise<World> {
    const demo = await startDemo({
      timings: figures === 'compressed' ? timings : defaultTimings,
      clockToleranceSeconds: 0,
      introspection: true,
    });
    try {
      const browser = await launchChromium({ thirdPartyCookies: regime.thirdPartyCookies });
      return new World(regime, demo, browser);
    } catch (error) {
      await demo.close();
      throw error;
    }
  }

  async newTab(name: string): Promise<Page> {
    const page = await this.browser.context.newPage();
    this.pages.push(page);
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame() && new URL(frame.url()).pathname.startsWith('/interaction/')) {
        this.loginForms.push(`${name}: ${frame.url()}`);
      }
    });
    page.on('console', (message) => this.consoleLines.push(`[${name}] ${message.type()}: ${message.text()}`));
    page.on('pageerror', (error) => this.consoleLines.push(`[${name}] pageerror: ${error.message}`));
    return page;
  }

  /** Fills the provider's login form: the one thing a user types. */
  async signIn(page: Page): Promise<void> {
    await page.waitForURL((url) => url.pathname.startsWith('/interaction/'));
    await page.getByLabel('Email').fill(this.demo.user.email);
    await page.getByLabel('Password').fill(this.demo.user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  /** The provider's truth: the live SSO sessions with their deadlines (epoch seconds). */
  sessions() {
    return this.demo.idp.listSessions();
  }

  async saveArtifacts(testName: string): Promise<void> {
    const slug = `${this.regime.thirdPartyCookies ? 'allowed' : 'blocked'}-${testName}`
      .replace(/[^a-z0-9-]+/gi, '-')
      .slice(0, 80);
    await mkdir(artifacts, { recursive: true });
    await Promise.all(
      this.pages
        .filter((page) => !page.isClosed())
        .map((page, index) => page.screenshot({ path: `${artifacts}${slug}-tab${index}.png` }).catch(() => {})),
    );
    await writeFile(`${artifacts}${slug}-console.log`, this.consoleLines.join('\n'));
  }

  async close(): Promise<void> {
    await this.browser.close();
    await this.demo.close();
  }
}

/** What the session panel shows: `active`, `warning`, `expired` or `signed_out`. */
export function sessionStatus(page: Page) {
  return page.getByTestId('session-status');
}

/** The session warning dialog, inside the custom element's open shadow root. */
export function warningDialog(page: Page) {
  return page.locator('sso-session-dialog').getByRole('alertdialog');
}

export async function expectSignedIn(page: Page, name = 'Alice Liddell'): Promise<void> {
  await expect
    .poll(
      () =>
        page
          .getByTestId('user-name')
          .textContent({ timeout: 500 })
          .catch(() => null),
      { timeout: 20_000 },
    )
    .toBe(name);
}

export async function expectSignedOut(page: Page, timeout = 20_000): Promise<void> {
  await expect.poll(() => page.getByTestId('signed-out').isVisible(), { timeout }).toBe(true);
}
