// The SDK's browser tier: the built ESM file (dist/index.js, with oauth4webapi through an import
// map) on an app site, the real dev IdP on another site, Chromium in between.
import { fileURLToPath } from 'node:url';
import { type LaunchedBrowser, type LoopbackServer, launchChromium, listenOnLoopback, staticSite } from '@sso-spa/testkit';
import type { Page } from 'playwright-core';
import { createDevIdp, type DevIdp } from 'sso-spa-dev-idp';

const dist = fileURLToPath(new URL('../../dist/', import.meta.url));
const oauth4webapi = fileURLToPath(new URL('../../../../node_modules/oauth4webapi/build/', import.meta.url));

export const API = 'https://api.example';

export interface Stack {
  app: LoopbackServer;
  idp: DevIdp;
  browser: LaunchedBrowser;
  close(): Promise<void>;
}

function appPage(issuer: string, origin: string): string {
  const base = { issuer, clientId: 'site-a', authorizationParams: { redirect_uri: `${origin}/callback`, audience: API } };
  return `<!doctype html>
<meta charset="utf-8">
<title>SDK test app</title>
<script type="importmap">{ "imports": { "oauth4webapi": "/vendor/oauth4webapi/index.js" } }</script>
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
  const app = await listenOnLoopback(
    'app.localhost',
    staticSite({ pages, mounts: { '/dist/': dist, '/vendor/oauth4webapi/': oauth4webapi }, fallback: '/index.html' }),
  );
  const idp = await createDevIdp({
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
  });
  pages['/index.html'] = appPage(idp.issuer, app.origin);
  const browser = await launchChromium({ thirdPartyCookies });
  return {
    app,
    idp,
    browser,
    async close() {
      await browser.close();
      await idp.close();
      await app.close();
    },
  };
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
