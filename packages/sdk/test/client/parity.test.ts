// auth0-spa-js call sites that move over with a change of import: popup login with its second
// argument, getTokenWithPopup, logout's clientId and federated, typed getUser / getIdTokenClaims.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { type IdTokenClaims, SsoClient, type User } from '../../src/index.js';
import { CLIENT_ID, ISSUER, REDIRECT_URI } from '../support/fake-op.js';
import { world } from '../support/setup.js';

/** A window the test controls, standing in for the popup. */
function fakePopup() {
  const popup = {
    closed: false,
    closes: 0,
    close() {
      popup.closed = true;
      popup.closes++;
    },
  };
  return popup;
}

const clientFor = (w: ReturnType<typeof world>, popup?: object) =>
  new SsoClient({
    issuer: ISSUER,
    clientId: CLIENT_ID,
    authorizationParams: { redirect_uri: REDIRECT_URI },
    platform: { ...w.tab.platform, openPopup: () => popup as Window | undefined },
  });

describe('loginWithPopup(options, config)', () => {
  it('takes the popup and closePopup from the second argument', async () => {
    const w = world();
    const mine = fakePopup();
    const client = clientFor(w);
    await client.loginWithPopup({}, { popup: mine as unknown as Window, closePopup: false });
    expect(await client.isAuthenticated()).toBe(true);
    expect(mine.closes).toBe(0);
  });

  it('rejects with popup_blocked when no popup can open', async () => {
    const w = world();
    await expect(clientFor(w, undefined).loginWithPopup()).rejects.toMatchObject({ code: 'popup_blocked' });
  });
});

describe('getTokenWithPopup', () => {
  it('signs in through the popup and returns the access token for the audience', async () => {
    const w = world();
    const popup = fakePopup();
    const client = clientFor(w, popup);
    const token = await client.getTokenWithPopup({ authorizationParams: { audience: 'https://api.example' } });
    expect(token).toMatch(/^at-/);
    expect(new URL(w.op.authorizeUrls.at(-1)?.href as string).searchParams.get('audience')).toBe('https://api.example');
    expect(
      await client.getTokenSilently({ authorizationParams: { audience: 'https://api.example' }, cacheMode: 'cache-only' }),
    ).toBe(token);
  });

  it('answers from the cache without a popup round trip, closing the window it opened', async () => {
    const w = world();
    let popup = fakePopup();
    const client = new SsoClient({
      issuer: ISSUER,
      clientId: CLIENT_ID,
      authorizationParams: { redirect_uri: REDIRECT_URI },
      platform: { ...w.tab.platform, openPopup: () => popup as unknown as Window },
    });
    const first = await client.getTokenWithPopup();
    const calls = w.op.calls.token;
    const authorizeCalls = w.op.authorizeUrls.length;
    popup = fakePopup();
    const opened = popup;
    expect(await client.getTokenWithPopup()).toBe(first);
    expect(w.op.calls.token).toBe(calls);
    expect(w.op.authorizeUrls).toHaveLength(authorizeCalls);
    expect(opened.closes).toBe(1);
  });
});

describe('logout: clientId and federated', () => {
  it('passes federated through, sends another client id, or none with null', async () => {
    const w = world();
    await w.login();
    const urls: string[] = [];
    await w.client.logout({ logoutParams: { federated: true }, openUrl: (url) => void urls.push(url) });
    await w.login();
    await w.client.logout({ clientId: 'other-app', openUrl: (url) => void urls.push(url) });
    await w.login();
    await w.client.logout({ clientId: null, openUrl: (url) => void urls.push(url) });
    const params = urls.map((url) => new URL(url).searchParams);
    expect(params[0]?.get('federated')).toBe('true');
    expect(params[0]?.get('client_id')).toBe(CLIENT_ID);
    expect(params[1]?.get('client_id')).toBe('other-app');
    expect(params[2]?.has('client_id')).toBe(false);
  });
});

describe('typed claims', () => {
  it('getUser<T>() and getIdTokenClaims<T>() take the app’s claim types', async () => {
    const w = world();
    await w.login();
    interface AppUser extends User {
      email: string;
    }
    const user = await w.client.getUser<AppUser>();
    expectTypeOf(user).toEqualTypeOf<AppUser | undefined>();
    expect(user?.email).toBe('alice@example.com');
    const claims = await w.client.getIdTokenClaims<IdTokenClaims & { auth_time: number }>();
    expectTypeOf(claims).toEqualTypeOf<(IdTokenClaims & { auth_time: number }) | undefined>();
    expect(typeof claims?.auth_time).toBe('number');
  });
});

describe('oidc-client-ts options', () => {
  it('extraTokenParams go with every token request, and never replace the protocol’s own', async () => {
    const w = world({ useRefreshTokens: true, extraTokenParams: { resource: 'https://api.example', grant_type: 'forged' } });
    await w.login();
    w.browser.advance(200_000);
    await w.client.getTokenSilently();
    const [exchange, refresh] = w.op.tokenBodies;
    expect(exchange?.get('resource')).toBe('https://api.example');
    expect(exchange?.get('grant_type')).toBe('authorization_code');
    expect(refresh?.get('resource')).toBe('https://api.example');
    expect(refresh?.get('grant_type')).toBe('refresh_token');
  });

  it('popupWindowFeatures reach window.open', async () => {
    const w = world();
    const asked: string[] = [];
    const client = new SsoClient({
      issuer: ISSUER,
      clientId: CLIENT_ID,
      authorizationParams: { redirect_uri: REDIRECT_URI },
      popupWindowFeatures: 'popup,width=600,height=700',
      platform: {
        ...w.tab.platform,
        openPopup: (features) => {
          asked.push(features);
          return fakePopup() as unknown as Window;
        },
      },
    });
    await client.loginWithPopup();
    expect(asked).toEqual(['popup,width=600,height=700']);
  });

  it("transactionStorage: 'local' completes a login in another tab of the browser; the default keeps it to its tab", async () => {
    for (const [transactionStorage, completes] of [
      ['local', true],
      ['session', false],
    ] as const) {
      const w = world({ transactionStorage });
      await w.client.loginWithRedirect();
      const other = w.openTab();
      other.tab.url = w.op.callbackUrl(w.tab.navigations.at(-1) as string);
      const outcome = await other.client.handleRedirectCallback().then(
        () => true,
        (error: { code: string }) => error.code,
      );
      expect(outcome).toBe(completes ? true : 'state_mismatch');
    }
  });
});

describe('getUserInfo', () => {
  it('loads the userinfo claims with an access token, and refuses another user’s', async () => {
    const w = world();
    await w.login();
    await expect(w.client.getUserInfo()).resolves.toMatchObject({ sub: 'alice', email: 'alice@example.com' });
    w.op.userinfoSub = 'mallory';
    await expect(w.client.getUserInfo()).rejects.toMatchObject({ code: 'invalid_response' });
  });
});

describe('revokeRefreshToken', () => {
  it('revokes the refresh token at the provider and forgets it; the cached tokens stay', async () => {
    const w = world({ useRefreshTokens: true, cacheLocation: 'localstorage' });
    await w.login();
    const token = await w.client.getTokenSilently();
    await w.client.revokeRefreshToken();
    expect(w.op.revoked).toHaveLength(1);
    expect(await w.client.getTokenSilently()).toBe(token);
    w.browser.advance(200_000);
    await expect(w.client.getTokenSilently()).rejects.toMatchObject({ code: 'missing_refresh_token' });
    expect(w.op.tokenBodies.filter((b) => b.get('grant_type') === 'refresh_token')).toHaveLength(0);
  });
});
