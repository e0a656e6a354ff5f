// sso-spa-react in real Chromium against the real dev IdP: the page is bundled with esbuild from
// test/browser/app.tsx (React, the bindings' sources, the built sso-spa) and served on its own
// *.localhost site, the IdP on another.
import { fileURLToPath } from 'node:url';
import { type LaunchedBrowser, type LoopbackServer, launchChromium, listenOnLoopback, staticSite } from '@sso-spa/testkit';
import { build } from 'esbuild';
import type { Page } from 'playwright-core';
import { createDevIdp, type DevIdp, routes } from 'sso-spa-dev-idp';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

let app: LoopbackServer;
let idp: DevIdp;
let browser: LaunchedBrowser;
/** Draft saves (from onBeforeAuthentication) the app's server holds; calling one answers it. */
const heldDrafts: Array<() => void> = [];

beforeAll(async () => {
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL('./app.tsx', import.meta.url))],
    bundle: true,
    format: 'esm',
    write: false,
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"development"' },
    logLevel: 'silent',
  });
  const pages: Record<string, string> = { '/app.js': bundle.outputFiles[0]?.text ?? '' };
  const site = staticSite({ pages, fallback: '/index.html' });
  app = await listenOnLoopback('react-app.localhost', (req, res) => {
    if (req.method === 'POST' && req.url === '/save-draft') {
      heldDrafts.push(() => res.writeHead(204).end());
      return;
    }
    return site(req, res);
  });
  idp = await createDevIdp({
    port: 0,
    hostname: 'idp.localhost',
    clients: [
      {
        clientId: 'site-a',
        redirectUris: [`${app.origin}/callback`],
        postLogoutRedirectUris: [`${app.origin}/`],
        webOrigins: [app.origin],
      },
    ],
  });
  pages['/index.html'] = `<!doctype html>
<meta charset="utf-8">
<title>sso-spa-react test page</title>
<div id="root"></div>
<script>window.testConfig = ${JSON.stringify({ issuer: idp.issuer, origin: app.origin })};</script>
<script type="module" src="/app.js"></script>`;
});

// A fresh profile per test: no IdP session and no "returning user" mark from the test before.
beforeEach(async () => {
  browser = await launchChromium({ thirdPartyCookies: false });
});

afterEach(async () => {
  await browser?.close();
});

afterAll(async () => {
  await idp?.close();
  await app?.close();
});

/** The element's text now, or `undefined` (never waits, so polls stay responsive). */
function text(page: Page, selector: string): Promise<string | null | undefined> {
  return page.evaluate((s) => document.querySelector(s)?.textContent, selector);
}

async function signInOn(page: Page): Promise<void> {
  await page.waitForSelector('input[name="login"]');
  await page.fill('input[name="login"]', 'alice@example.com');
  await page.fill('input[name="password"]', 'wonderland');
  await page.click('button[type="submit"]');
}

describe('sso-spa-react in Chromium', () => {
  it('loginWithPopup signs in, then getIdTokenClaims reads the ID token', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${app.origin}/`);
    await expect.poll(() => text(page, '#status')).toBe('signed out');
    const popupOpened = page.waitForEvent('popup');
    await page.click('#popup-login');
    const popup = await popupOpened;
    await signInOn(popup);
    await expect.poll(() => text(page, '#status')).toBe('signed in as alice@example.com');
    await expect.poll(() => text(page, '#claims')).toMatch(/^sub=\S+ iss=http:\/\/idp\.localhost:\d+\S* raw=yes$/);
    expect(await text(page, '#failure')).toBe('');
    await page.close();
  });

  it('withAuthenticationRequired awaits onBeforeAuthentication before the login redirect, then brings the user back', async () => {
    const page = await browser.context.newPage();
    const loginRedirects: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (request.frame() === page.mainFrame() && url.pathname.endsWith(routes.authorization) && !url.searchParams.has('prompt'))
        loginRedirects.push(url.href);
    });
    await page.goto(`${app.origin}/orders`);
    // The app's server holds the draft save: while it is unanswered, no login redirect may start.
    await vi.waitFor(() => expect(heldDrafts).toHaveLength(1), { timeout: 15_000 });
    expect(await text(page, '#redirecting')).toBe('redirecting');
    expect(loginRedirects).toEqual([]);
    heldDrafts.shift()?.();
    await signInOn(page);
    await expect.poll(() => text(page, '#orders')).toBe('your orders');
    expect(new URL(page.url()).pathname).toBe('/orders');
    expect(loginRedirects).toHaveLength(1);
    await page.close();
  });
});
