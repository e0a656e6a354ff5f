// A typical @auth0/auth0-spa-js call site, after the change of import and of `domain` to
// `issuer`: it must type-check against sso-spa unchanged (the expectTypeOf lines), and run.
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  SsoClient as Auth0Client,
  type GetTokenSilentlyOptions,
  type RedirectLoginResult,
  TimeoutError,
  type TokenDetails,
  type User,
} from '../../src/index.js';
import { CLIENT_ID, ISSUER, REDIRECT_URI } from '../support/fake-op.js';
import { world } from '../support/setup.js';

describe('an auth0-spa-js call site', () => {
  it('compiles against sso-spa and runs', async () => {
    const w = world();
    // The SDK reads the app's clock (nowProvider), not the test platform's.
    const { now: _platformClock, ...platform } = w.tab.platform;
    // auth0-spa-js's options, with issuer for domain.
    const auth0 = new Auth0Client({
      issuer: ISSUER,
      clientId: CLIENT_ID,
      authorizationParams: { redirect_uri: REDIRECT_URI, scope: 'openid profile email' },
      cacheLocation: 'localstorage',
      useRefreshTokens: true,
      nowProvider: () => w.browser.time,
      platform,
    });
    await auth0.loginWithRedirect({ appState: { targetUrl: '/orders' }, authorizationParams: { prompt: 'login' } });
    w.tab.url = w.op.callbackUrl(w.tab.navigations.at(-1) as string);
    const result = await auth0.handleRedirectCallback<{ targetUrl: string }>();
    expectTypeOf(result).toEqualTypeOf<RedirectLoginResult<{ targetUrl: string }>>();
    expect(result.appState?.targetUrl).toBe('/orders');

    expect(await auth0.isAuthenticated()).toBe(true);
    const user = await auth0.getUser();
    expectTypeOf(user).toEqualTypeOf<User | undefined>();
    const token: string = await auth0.getTokenSilently();
    const options: GetTokenSilentlyOptions = { cacheMode: 'off', detailedResponse: true };
    const detailed = await auth0.getTokenSilently({ ...options, detailedResponse: true });
    expectTypeOf(detailed).toEqualTypeOf<TokenDetails>();
    expect(detailed.access_token).not.toBe(token);

    // The clock is the app's (nowProvider): an hour later the cached pair is gone.
    w.browser.advance(3_600_000);
    expect(await auth0.getTokenSilently({ cacheMode: 'cache-only' })).toBeUndefined();

    const edge = w.tab.fetch;
    try {
      w.tab.fetch = () => new Promise<Response>(() => {});
      const pending = auth0.getTokenSilently({ cacheMode: 'off' });
      await w.browser.untilInFlight(1, /\/oauth\/token$/);
      w.browser.advance(10_000);
      await pending;
      expect.unreachable();
    } catch (e) {
      // auth0-spa-js apps branch on the class or on `error`.
      expect(e instanceof TimeoutError).toBe(true);
      expect((e as { error: string }).error).toBe('timeout');
    }
    w.tab.fetch = edge;
    await auth0.logout({ logoutParams: { returnTo: 'https://app.example/' }, openUrl: false });
    expect(await auth0.isAuthenticated()).toBe(false);
  });

  it('nowProvider may answer with a promise: the SDK follows the clock it resolves to', async () => {
    const w = world();
    w.op.session = false;
    const ahead = Date.now() + 86_400_000;
    const { now: _platformClock, ...platform } = w.tab.platform;
    const client = new Auth0Client({
      issuer: ISSUER,
      clientId: CLIENT_ID,
      authorizationParams: { redirect_uri: REDIRECT_URI },
      nowProvider: async () => ahead,
      platform,
    });
    await client.checkSession();
    await client.checkSession();
    // Dated by the app's clock, a day ahead of the machine's.
    expect(Math.abs((client.lastSessionCheck?.at ?? 0) - ahead)).toBeLessThan(60_000);
  });
});
