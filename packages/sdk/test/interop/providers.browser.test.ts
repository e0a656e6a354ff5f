// Provider behaviours the SDK absorbs, in Chromium against the dev IdP made to behave like other
// providers through its fault hook: no web_message with nothing configured (P4), and a login
// page shown instead of a prompt=none answer (P3).
import { type DevIdpFaults, rewriteResponseBody } from 'sso-spa-dev-idp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appReady, openApp, type Stack, signIn, startStack } from '../browser/harness.js';

interface PageClient {
  loginWithRedirect(options?: Record<string, unknown>): Promise<void>;
  getTokenSilently(options?: Record<string, unknown>): Promise<string>;
  lastSessionCheck?: { status: string; error?: { code: string; error?: string; errorDescription?: string } };
  isAuthenticated(): Promise<boolean>;
}
type AppWindow = Window & {
  makeClient(extra?: Record<string, unknown>): PageClient;
  client: PageClient;
  events: { type: string; source?: string }[];
  SsoSpa: { createSsoClient(options: Record<string, unknown>): Promise<PageClient> };
};

let framedLoginPage = false;
const tokenRequests: string[] = [];
const faults: DevIdpFaults = (handler) => (req, res) => {
  const url = new URL(req.url ?? '/', 'http://idp.localhost');
  if (url.pathname === '/.well-known/openid-configuration') {
    rewriteResponseBody(res, (body) => {
      const doc = JSON.parse(body) as { response_modes_supported: string[] };
      doc.response_modes_supported = doc.response_modes_supported.filter((mode) => mode !== 'web_message');
      return JSON.stringify(doc);
    });
  }
  if (url.pathname === '/oauth/token' && req.method === 'POST') tokenRequests.push(url.pathname);
  if (framedLoginPage && url.pathname === '/authorize' && url.searchParams.get('prompt') === 'none') {
    // A provider that ignores prompt=none and shows its login page, which refuses to be framed.
    res.writeHead(200, {
      'content-type': 'text/html',
      'x-frame-options': 'DENY',
      'content-security-policy': "frame-ancestors 'none'",
    });
    res.end('<!doctype html><title>Sign in</title><form><input name="login"><input name="password"></form>');
    return;
  }
  return handler(req, res);
};

describe('providers without web_message, or that show a page to prompt=none, in Chromium', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack(true, { faults, idTokenSeconds: 30, accessTokenSeconds: 30 });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('P4: silent renewal comes back to the redirect URI with nothing configured; the app in the frame does not log in there', async () => {
    const page = await openApp(stack, '/');
    // Only issuer, client id and redirect URI: the app page creates its client on every load.
    await page.evaluate(() => sessionStorage.setItem('sso-test.typical', '{}'));
    await page.evaluate(() => (window as unknown as AppWindow).makeClient().loginWithRedirect());
    await signIn(page);
    await page.waitForURL((url) => url.pathname === '/' || url.pathname === '/callback');
    await appReady(page);
    await expect.poll(() => page.evaluate(() => (window as unknown as AppWindow).client?.isAuthenticated())).toBe(true);

    const before = tokenRequests.length;
    const renewed = await page.evaluate(async () => {
      const w = window as unknown as AppWindow;
      const token = await w.client.getTokenSilently({ cacheMode: 'off' });
      return { token: typeof token, frames: document.querySelectorAll('iframe').length };
    });
    expect(renewed).toEqual({ token: 'string', frames: 0 });
    // One code exchange: the parent's. The app that loaded in the frame handed the response over.
    expect(tokenRequests.length - before).toBe(1);
    await page.evaluate(() => sessionStorage.removeItem('sso-test.typical'));
    await page.close();
  });

  it('P4: the silent-callback page shipped in the package hands the response over', async () => {
    const page = await openApp(stack, '/');
    const options = { silentCallbackUri: `${stack.app.origin}/dist/silent-callback.html` };
    const out = await page.evaluate(async (o) => {
      const w = window as unknown as AppWindow;
      const client = w.makeClient(o);
      // The SSO session of the previous case lets the hidden iframe sign this client in.
      const token = await client.getTokenSilently({ cacheMode: 'off' });
      return { token: typeof token, frames: document.querySelectorAll('iframe').length, last: w.events.at(-1)?.source };
    }, options);
    expect(out).toEqual({ token: 'string', frames: 0, last: 'iframe' });
    // The page itself posts the response, addressed to its own origin.
    const posted = await page.evaluate(
      () =>
        new Promise<{ data: unknown; origin: string }>((resolve) => {
          const frame = document.createElement('iframe');
          addEventListener('message', (event) => {
            if (event.source === frame.contentWindow) resolve({ data: event.data, origin: event.origin });
          });
          frame.src = '/dist/silent-callback.html?code=c-1&state=s-1';
          document.body.append(frame);
        }),
    );
    expect(posted).toEqual({
      data: { type: 'authorization_response', response: { code: 'c-1', state: 's-1' } },
      origin: stack.app.origin,
    });
    await page.close();
  });

  it('P3: a login page instead of an answer ends the silent check soon after it loads, and start-up resolves signed out', async () => {
    framedLoginPage = true;
    try {
      const page = await stack.browser.context.newPage();
      await page.goto(`${stack.app.origin}/`);
      await appReady(page);
      const out = await page.evaluate(async (issuer) => {
        const w = window as unknown as AppWindow;
        const client = await w.SsoSpa.createSsoClient({
          issuer,
          clientId: 'site-a',
          authorizationParams: { redirect_uri: `${location.origin}/callback` },
          authorizeTimeoutInSeconds: 60,
          checkSessionRedirect: false,
        });
        const check = client.lastSessionCheck;
        return {
          check: { status: check?.status, code: check?.error?.code, providerSaid: check?.error?.errorDescription },
          frames: document.querySelectorAll('iframe').length,
        };
      }, stack.idp.issuer);
      // Ended by the page that loaded without answering (interaction_required, no provider error),
      // not by the 60 s authorize timeout (which would say `timeout`).
      expect(out.check).toEqual({ status: 'signed_out', code: 'interaction_required' });
      expect(out.frames).toBe(0);
      await page.close();
    } finally {
      framedLoginPage = false;
    }
  });
});
