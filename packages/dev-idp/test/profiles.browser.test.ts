import { type LaunchedBrowser, type LoopbackServer, launchChromium, listenOnLoopback, staticSite } from '@sso-spa/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDevIdp, type DevIdp, type DevIdpOptions } from '../src/index.js';
import { authorizeUrl, pkce } from './helpers.js';

// A signed-out app page opens a hidden iframe to the IdP with prompt=none and
// response_mode=web_message, as an SDK's start-up check does, and records what comes back:
// the posted message, or only the frame's load event when the IdP posts nothing.
const silentPage = `<!doctype html>
<meta charset="utf-8">
<title>silent</title>
<link rel="icon" href="data:,">
<script>
  const authorize = new URLSearchParams(location.search).get('authorize');
  const idpOrigin = new URL(authorize).origin;
  window.addEventListener('message', (event) => {
    if (event.origin !== idpOrigin || event.data?.type !== 'authorization_response') return;
    window.result = event.data.response;
  });
  const frame = document.createElement('iframe');
  frame.style.display = 'none';
  frame.addEventListener('load', () => { window.frameLoaded = true; });
  frame.src = authorize;
  document.documentElement.append(frame);
</script>`;

describe('a signed-out silent request in Chromium', () => {
  let app: LoopbackServer;
  let browser: LaunchedBrowser;
  let idp: DevIdp | undefined;

  beforeAll(async () => {
    app = await listenOnLoopback('app-a.localhost', staticSite({ pages: { '/silent.html': silentPage } }));
    browser = await launchChromium({ thirdPartyCookies: true });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });
  afterEach(async () => {
    await idp?.close();
    idp = undefined;
  });

  async function openSilent(options: DevIdpOptions) {
    idp = await createDevIdp({
      hostname: 'idp.localhost',
      clockToleranceSeconds: 0,
      clients: [{ clientId: 'site-a', redirectUris: [`${app.origin}/callback`], webOrigins: [app.origin] }],
      ...options,
    });
    const tab = await browser.context.newPage();
    const failed: string[] = [];
    const consoleErrors: string[] = [];
    tab.on('response', (response) => {
      if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
    });
    tab.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    const silent = authorizeUrl(
      idp,
      { redirectUri: `${app.origin}/callback`, prompt: 'none', responseMode: 'web_message' },
      pkce().challenge,
      'silent',
    );
    await tab.goto(`${app.origin}/silent.html?${new URLSearchParams({ authorize: silent })}`);
    return { tab, failed, consoleErrors };
  }

  it('gets login_required posted by a 200 page: no failed request, no console error', async () => {
    const { tab, failed, consoleErrors } = await openSilent({});
    const handle = await tab.waitForFunction(() => (window as unknown as { result?: unknown }).result);
    expect(await handle.jsonValue()).toMatchObject({ error: 'login_required', state: 'silent' });
    expect(failed).toEqual([]);
    expect(consoleErrors).toEqual([]);
    await tab.close();
  });

  it("with the 'framed-login' profile, ends on a login page the frame refuses to show, and nothing is posted", async () => {
    const { tab, failed, consoleErrors } = await openSilent({ profile: 'framed-login' });
    await tab.waitForFunction(() => (window as unknown as { frameLoaded?: boolean }).frameLoaded);
    expect(consoleErrors).toEqual([expect.stringMatching(/violates .*"frame-ancestors 'none'"/)]);
    // The login page itself came back (200); only the framing was refused.
    expect(failed).toEqual([]);
    const frame = tab.frames().find((candidate) => candidate !== tab.mainFrame());
    // Chromium replaces a refused frame's document with its own error page.
    expect(frame?.url()).toBe('chrome-error://chromewebdata/');
    expect(await tab.evaluate(() => (window as unknown as { result?: unknown }).result)).toBeUndefined();
    await tab.close();
  });
});
