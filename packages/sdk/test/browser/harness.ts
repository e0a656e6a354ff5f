// The SDK's browser tier: the built ES modules (dist/index.js and the chunks it loads on
// demand) on an app site, the real dev IdP on another site, Chromium in between.
import { fileURLToPath } from 'node:url';
import { type LaunchedBrowser, type LoopbackServer, launchChromium, listenOnLoopback, staticSite } from '@sso-spa/testkit';
import type { Page } from 'playwright-core';
import { createDevIdp, type DevIdp } from 'sso-spa-dev-idp';
import { expect } from 'vitest';

const dist = fileURLToPath(new URL('../../dist/', import.meta.url));

export const API = 'https://api.example';

export interface Stack {
  app: LoopbackServer;
  /** The IdP now listening (a new object after `restartIdp`). */
  idp: DevIdp;
  browser: LaunchedBrowser;
  /**
   * Stops the IdP and, unless `down` is true, starts it again on the same port with the same
   * clients and `changes` applied. With memory storage it comes back with new signing keys and
   * without its sessions, as a real provider redeployed without persistence does.
   */
  restartIdp(changes?: Record<string, unknown>, down?: boolean): Promise<void>;
  close(): Promise<void>;
}

function appPage(issuer: string, origin: string): string {
  const base = { issuer, clientId: 'site-a', authorizationParams: { redirect_uri: `${origin}/callback`, audience: API } };
  return `<!doctype html>
<meta charset="utf-8">
<title>SDK test app</title>
<script type="module">
  import * as SsoSpa from '/dist/index.js';
  if (location.pathname === '/silent.html') SsoSpa.handleSilentCallback();
  window.SsoSpa = SsoSpa;
  // A "typical app" when a test asks for one (sessionStorage is shared with this tab's frames):
  // it creates its client on load and handles any callback in its address bar, as real apps do,
  // including inside the SDK's own silent frame.
  const typical = sessionStorage.getItem('sso-test.typical');
  if (typical) {
    const started = SsoSpa.createSsoClient({ ...${JSON.stringify(base)}, ...JSON.parse(typical) });
    started.then((client) => {
      window.client = client;
      if (/[?&]code=/.test(location.search)) return client.handleRedirectCallback();
    });
  }
  window.events = [];
  window.makeClient = (extra = {}) => {
    const client = new SsoSpa.SsoClient({ ...${JSON.stringify(base)}, ...extra });
    client.subscribe((event) => window.events.push(event));
    window.client = client;
    return client;
  };
  window.ready = true;
</script>`;
}

/** Starts the app site, the dev IdP on its own site and Chromium with the given cookie regime. */
export async function startStack(thirdPartyCookies: boolean, idpOptions: Record<string, unknown> = {}): Promise<Stack> {
  const pages: Record<string, string> = {};
  const app = await listenOnLoopback('app.localhost', staticSite({ pages, mounts: { '/dist/': dist }, fallback: '/index.html' }));
  const options = {
    port: 0,
    hostname: 'idp.localhost',
    clockToleranceSeconds: 0,
    clients: [
      {
        clientId: 'site-a',
        redirectUris: [`${app.origin}/callback`, `${app.origin}/silent.html`, `${app.origin}/dist/silent-callback.html`],
        postLogoutRedirectUris: [`${app.origin}/`],
        webOrigins: [app.origin],
      },
    ],
    apis: [{ identifier: API, scopes: ['read:messages'] }],
    ...idpOptions,
  };
  const idp = await createDevIdp(options);
  pages['/index.html'] = appPage(idp.issuer, app.origin);
  const browser = await launchChromium({ thirdPartyCookies });
  const stack: Stack = {
    app,
    idp,
    browser,
    async restartIdp(changes = {}, down = false) {
      const port = stack.idp.port;
      await stack.idp.close();
      if (!down) stack.idp = await createDevIdp({ ...options, ...changes, port });
    },
    async close() {
      await browser.close();
      await stack.idp.close();
      await app.close();
    },
  };
  return stack;
}

/** Opens `path` on the app and waits for the SDK to load. */
export async function openApp(stack: Stack, path: string, page?: Page): Promise<Page> {
  const tab = page ?? (await stack.browser.context.newPage());
  await tab.goto(`${stack.app.origin}${path}`);
  await tab.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
  return tab;
}

/** Signs in on the IdP's login page, unless an SSO session lets the IdP send the browser straight back. */
export async function signIn(page: Page, password = 'wonderland'): Promise<void> {
  const asked = await Promise.race([
    page.waitForSelector('input[name="login"]').then(() => true),
    page.waitForURL(/\/callback\?/).then(() => false),
  ]);
  if (!asked) return;
  await page.fill('input[name="login"]', 'alice@example.com');
  await page.fill('input[name="password"]', password);
  await page.click('button[type="submit"]');
}

/** Waits until the app's SDK is loaded again after a navigation. */
export async function appReady(page: Page): Promise<void> {
  await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
}

/**
 * Waits until the page's client (`window.client`) no longer serves its cached access token:
 * the token has expired by the SDK's own clock. Waiting for the lifetime with a fixed sleep
 * is both slower and, on a loaded machine, not always long enough.
 */
export async function untilExpired(page: Page, timeout = 15_000): Promise<void> {
  await expect
    .poll(
      () =>
        page.evaluate(() =>
          (window as unknown as { client: { getTokenSilently(o: unknown): Promise<unknown> } }).client.getTokenSilently({
            cacheMode: 'cache-only',
          }),
        ),
      { timeout, interval: 50 },
    )
    .toBeUndefined();
}
