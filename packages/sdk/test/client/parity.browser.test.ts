// auth0-spa-js parity in Chromium against the dev IdP: a token through a popup, and a logout
// that revokes the refresh token at a provider whose refresh tokens survive logout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appReady, openApp, type Stack, signIn, startStack } from '../browser/harness.js';

interface PageClient {
  getTokenWithPopup(options?: Record<string, unknown>): Promise<string>;
  getTokenSilently(options?: Record<string, unknown>): Promise<string | undefined>;
  loginWithRedirect(options?: Record<string, unknown>): Promise<void>;
  handleRedirectCallback(): Promise<unknown>;
  logout(options?: Record<string, unknown>): Promise<{ provider: string }>;
}
type AppWindow = Window & { makeClient(extra?: Record<string, unknown>): PageClient; client: PageClient; popupResult?: unknown };

describe('auth0-spa-js parity in Chromium', () => {
  let stack: Stack;
  beforeAll(async () => {
    // Refresh tokens that survive logout at the provider and do not rotate: only the SDK's
    // revocation can end one, and the same token can be tried before and after.
    stack = await startStack(true, { behaviour: { refreshSurvivesLogout: true, rotateRefreshTokens: false } });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('getTokenWithPopup signs in through a popup and answers with the token for the audience', async () => {
    const page = await openApp(stack, '/');
    await page.evaluate(() => {
      const w = window as unknown as AppWindow;
      const client = w.makeClient() as unknown as PageClient;
      const button = document.createElement('button');
      button.id = 'token';
      button.textContent = 'Get a token';
      // Opened in the click's own task, as browsers require for popups.
      button.onclick = () => {
        client.getTokenWithPopup({ authorizationParams: { audience: 'https://api.example' } }).then(
          (token) => (w.popupResult = { token }),
          (error: { code: string }) => (w.popupResult = { error: error.code }),
        );
      };
      document.body.append(button);
    });
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.click('#token')]);
    await signIn(popup);
    await expect
      .poll(() => page.evaluate(() => (window as unknown as AppWindow).popupResult))
      .toMatchObject({
        token: expect.any(String),
      });
    await expect.poll(() => popup.isClosed()).toBe(true);
    const cached = await page.evaluate(() =>
      (window as unknown as AppWindow).client.getTokenSilently({
        cacheMode: 'cache-only',
        authorizationParams: { audience: 'https://api.example' },
      }),
    );
    expect(await page.evaluate(() => (window as unknown as AppWindow).popupResult)).toEqual({ token: cached });
    await page.close();
  });

  it('logout revokes the refresh token at a provider whose refresh tokens survive logout', async () => {
    const options = { useRefreshTokens: true, cacheLocation: 'localstorage' };
    const page = await openApp(stack, '/');
    await page.evaluate((o) => (window as unknown as AppWindow).makeClient(o).loginWithRedirect(), options);
    await signIn(page);
    await page.waitForURL(/\/callback\?/);
    await appReady(page);
    await page.evaluate((o) => (window as unknown as AppWindow).makeClient(o).handleRedirectCallback(), options);
    // What an attacker who copied the refresh token out of storage would send.
    const refresh = (tokenEndpoint: string) =>
      page.evaluate(async (endpoint) => {
        const entry = Object.keys(localStorage)
          .filter((k) => k.startsWith('sso-spa::'))
          .map((k) => JSON.parse(localStorage.getItem(k) as string) as { refresh_token?: string })
          .find((e) => e.refresh_token);
        const stolen = (window as unknown as { stolen?: string }).stolen ?? entry?.refresh_token;
        (window as unknown as { stolen?: string }).stolen = stolen;
        const response = await fetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: stolen ?? '', client_id: 'site-a' }),
        });
        return response.status;
      }, tokenEndpoint);
    const tokenEndpoint = `${stack.idp.issuer.replace(/\/$/, '')}/oauth/token`;
    expect(await refresh(tokenEndpoint)).toBe(200);
    const result = await page.evaluate(() => (window as unknown as AppWindow).client.logout({ openUrl: false }));
    expect(result).toEqual({ provider: 'skipped' });
    expect(await refresh(tokenEndpoint)).toBe(400);
    await page.close();
  });
});
