import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appReady, openApp, type Stack, signIn, startStack } from './browser/harness.js';

// Third-party cookies blocked: the top-level prompt=none check is the only silent way in.
describe('SDK in Chromium: the top-level session check, third-party cookies blocked', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack(false);
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('checks again on the next page load after a check that found the session, never after one that did not', async () => {
    const page = await openApp(stack, '/');
    await page.evaluate(() => window.makeClient().loginWithRedirect());
    await signIn(page);
    await page.waitForURL(/\/callback\?/);
    await appReady(page);
    await page.evaluate(() => window.makeClient().handleRedirectCallback());

    // Authorization requests the page's hidden iframes make.
    let frameRequests = 0;
    page.on('request', (request) => {
      if (request.frame() !== page.mainFrame() && request.isNavigationRequest() && request.url().startsWith(stack.idp.issuer))
        frameRequests++;
    });
    const check = async (path: string) => {
      frameRequests = 0;
      await page.goto(`${stack.app.origin}${path}`);
      await appReady(page);
      await page.evaluate(() => window.makeClient({ checkSessionRedirect: true }).checkSession());
      await page.waitForURL(/\/callback\?/);
      await appReady(page);
      return page.evaluate(() => window.makeClient({ checkSessionRedirect: true }).handleRedirectCallback());
    };
    // A reload of a signed-in tab with a memory cache has no tokens: it may check again, at once.
    expect(await check('/first')).toEqual({ appState: { targetUrl: '/first' }, sessionCheck: 'signed_in' });
    expect(frameRequests).toBe(1);
    // That check found what the iframe could not see: this tab's next loads skip the iframe.
    expect(await check('/second')).toEqual({ appState: { targetUrl: '/second' }, sessionCheck: 'signed_in' });
    expect(frameRequests).toBe(0);

    for (const session of await stack.idp.listSessions()) await stack.idp.endSession(session.id);
    expect(await check('/third')).toEqual({ appState: { targetUrl: '/third' }, sessionCheck: 'no_session' });
    // "No session" keeps the mark: the next load stays put instead of looping through the provider.
    await page.goto(`${stack.app.origin}/fourth`);
    await appReady(page);
    const after = await page.evaluate(async () => {
      const client = window.makeClient({ checkSessionRedirect: true });
      await client.checkSession();
      return { url: location.href, authenticated: await client.isAuthenticated() };
    });
    expect(after).toEqual({ url: `${stack.app.origin}/fourth`, authenticated: false });
    await page.close();
  });
});
