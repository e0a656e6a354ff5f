import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type Demo, type DemoTimings, defaultTimings, startDemo } from '@sso-spa/demo-server';
import { type LaunchedBrowser, launchChromium } from '@sso-spa/testkit';
import type { Page, Request } from 'playwright-core';
import type { ProfileName } from 'sso-spa-dev-idp';
import { expect } from 'vitest';

/** The workflow's figures, compressed so that the whole suite runs in about a minute. */
// A 6 s warning leaves room for a top-level "Continue" on a loaded 2-core machine. Tokens live
// 8 s: the SDK renews a tenth of the lifetime early, and with 5 s tokens that 0.5 s was less
// than a loaded machine takes between getTokenSilently() and the API checking the token (401).
export const timings: DemoTimings = { ssoIdleSeconds: 12, ssoAbsoluteSeconds: 3600, tokenSeconds: 8, warnBeforeSeconds: 6 };

export interface Regime {
  label: string;
  thirdPartyCookies: boolean;
}

export const allowed: Regime = { label: 'third-party cookies allowed', thirdPartyCookies: true };
export const blocked: Regime = { label: 'third-party cookies blocked', thirdPartyCookies: false };

const artifacts = fileURLToPath(new URL('../test-results/', import.meta.url));

/** A request the browser made to the provider's token or authorization endpoint. */
export interface ProviderRequest {
  /** The site that made it (its `Origin`, or the `Referer` of a navigation). */
  site: string;
  /** A top-level navigation (not a hidden frame, not a fetch). */
  topLevel: boolean;
  /** `token` (code exchange or refresh) or `authorize` (a frame or a top-level navigation). */
  endpoint: 'token' | 'authorize';
  /** `authorization_code` or `refresh_token` for the token endpoint; `prompt` for authorize. */
  detail: string;
  /** The request carried a DPoP proof (`DPoP` header): a token request of the DPoP site. */
  dpop: boolean;
  /** HTTP status of the answer, once it came (0 until then or when it failed). */
  status: number;
  /** When the browser sent it (epoch ms). */
  at: number;
}

/** One browser profile (one user) and the whole demo topology, for one cookie regime. */
export class World {
  /** Every time a tab showed the provider's login form. */
  readonly loginForms: string[] = [];
  /** What the provider was asked, in order: the way to tell a cache hit from a renewal. */
  readonly providerRequests: ProviderRequest[] = [];
  readonly consoleLines: string[] = [];
  readonly pages: Page[] = [];
  /** Screenshots and console logs go here (git-ignored). */
  readonly artifactsDir = artifacts;

  private constructor(
    readonly regime: Regime,
    readonly demo: Demo,
    readonly browser: LaunchedBrowser,
    readonly profile: ProfileName,
  ) {
    browser.context.on('request', (request) => this.#recordProviderRequest(request));
  }

  /**
   * `'default'` runs the workflow's own figures, as `npm start` does; a `profile` runs the dev
   * IdP as another kind of provider, with the demo sites configured exactly the same.
   */
  static async start(
    regime: Regime,
    figures: 'compressed' | 'default' | DemoTimings = 'compressed',
    profile: ProfileName = 'default',
  ): Promise<World> {
    const demo = await startDemo({
      timings: figures === 'compressed' ? timings : figures === 'default' ? defaultTimings : figures,
      clockToleranceSeconds: 0,
      introspection: true,
      profile,
    });
    try {
      const browser = await launchChromium({ thirdPartyCookies: regime.thirdPartyCookies });
      return new World(regime, demo, browser, profile);
    } catch (error) {
      await demo.close();
      throw error;
    }
  }

  #recordProviderRequest(request: Request): void {
    const url = new URL(request.url());
    if (url.origin !== new URL(this.demo.issuer).origin) return;
    const endpoint = url.pathname === '/oauth/token' ? 'token' : url.pathname === '/authorize' ? 'authorize' : undefined;
    if (!endpoint) return;
    const headers = request.headers();
    const detail =
      endpoint === 'token'
        ? (new URLSearchParams(request.postData() ?? '').get('grant_type') ?? '')
        : (url.searchParams.get('prompt') ?? '');
    const from = headers.origin ?? headers.referer;
    const entry: ProviderRequest = {
      site: from ? new URL(from).origin : '',
      topLevel: request.isNavigationRequest() && request.frame().parentFrame() === null,
      endpoint,
      detail,
      dpop: typeof headers.dpop === 'string',
      status: 0,
      at: Date.now(),
    };
    this.providerRequests.push(entry);
    void request
      .response()
      .then((response) => {
        entry.status = response?.status() ?? 0;
      })
      .catch(() => {});
  }

  /** The token endpoint requests made since `mark` (an index into `providerRequests`). */
  tokenRequestsSince(mark: number): ProviderRequest[] {
    return this.providerRequests.slice(mark).filter((request) => request.endpoint === 'token');
  }

  /** The origin of the site whose tokens are DPoP-bound (site A, as `npm start` runs the demo). */
  get dpopSite(): string {
    if (this.demo.dpopSite === 'none') throw new Error('this demo runs without a DPoP site');
    return this.demo.dpopSite === 'a' ? this.demo.siteA : this.demo.siteB;
  }

  /**
   * Every token request so far, by site, as `N with a proof, M without`: the DPoP site's must
   * all carry one and the other site's none, and a failure shows what was sent.
   */
  tokenProofs(): { dpopSite: string; otherSite: string } {
    const count = (fromDpopSite: boolean) => {
      const sent = this.tokenRequestsSince(0).filter((request) => (request.site === this.dpopSite) === fromDpopSite);
      const proven = sent.filter((request) => request.dpop).length;
      return `${proven} with a proof, ${sent.length - proven} without`;
    };
    return { dpopSite: count(true), otherSite: count(false) };
  }

  async newTab(name: string): Promise<Page> {
    const page = await this.browser.context.newPage();
    this.pages.push(page);
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame() && this.showsLoginForm(new URL(frame.url()))) {
        this.loginForms.push(`${name}: ${frame.url()}`);
      }
    });
    page.on('console', (message) => this.consoleLines.push(`[${name}] ${message.type()}: ${message.text()}`));
    page.on('pageerror', (error) => this.consoleLines.push(`[${name}] pageerror: ${error.message}`));
    return page;
  }

  /**
   * A page of the provider's that shows its login form: the interaction page, or (a provider
   * that ignores `prompt=none`, P3) the authorization endpoint's answer to a top-level silent
   * check, which is that form itself. Every other answer of the authorization endpoint is a
   * redirect, and a page the browser never shows.
   */
  showsLoginForm(url: URL): boolean {
    return (
      url.origin === new URL(this.demo.issuer).origin &&
      (url.pathname.startsWith('/interaction/') || url.pathname === '/authorize')
    );
  }

  /** Fills the provider's login form: the one thing a user types. */
  async signIn(page: Page): Promise<void> {
    await page.waitForURL((url) => this.showsLoginForm(url));
    await page.getByLabel('Email').fill(this.demo.user.email);
    await page.getByLabel('Password').fill(this.demo.user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  /** The provider's truth: the live SSO sessions with their deadlines (epoch seconds). */
  sessions() {
    return this.demo.idp.listSessions();
  }

  async saveArtifacts(testName: string): Promise<void> {
    const slug = `${this.profile}-${this.regime.thirdPartyCookies ? 'allowed' : 'blocked'}-${testName}`
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

/** What the session panel says of the access token: its type, and for DPoP the key thumbprint it is bound to. */
export async function tokenBinding(page: Page): Promise<{ type: string | null; jkt: string | null }> {
  const jkt = page.getByTestId('token-jkt');
  return {
    type: await page.getByTestId('token-type').textContent({ timeout: 1_000 }),
    // Shown for DPoP tokens only: not there is an answer, not a reason to wait.
    jkt: (await jkt.count()) > 0 ? await jkt.getAttribute('title', { timeout: 1_000 }).catch(() => null) : null,
  };
}

/** Waits until the session panel shows a token of `type` (`DPoP` with a key thumbprint, or `Bearer`) and returns it. */
export async function expectTokenType(page: Page, type: 'DPoP' | 'Bearer'): Promise<{ type: string | null; jkt: string | null }> {
  await expect
    .poll(() => tokenBinding(page).catch(() => undefined))
    .toEqual(type === 'DPoP' ? { type, jkt: expect.stringMatching(/^[\w-]{43}$/) } : { type, jkt: null });
  return tokenBinding(page);
}

export async function expectSignedOut(page: Page, timeout = 20_000): Promise<void> {
  await expect.poll(() => page.getByTestId('signed-out').isVisible(), { timeout }).toBe(true);
}
