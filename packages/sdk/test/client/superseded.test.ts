// Fixes found while reading the client (each a regression test): a renewal superseded by a
// session change is `cancelled`, not the provider's `login_required`; a top-level prompt=none
// started through loginWithRedirect is a session check; a popup whose login cannot start is
// closed.
import { describe, expect, it } from 'vitest';
import { isNoSessionError, SsoClient } from '../../src/index.js';
import { CLIENT_ID, ISSUER, REDIRECT_URI } from '../support/fake-op.js';
import { settle, world } from '../support/setup.js';

describe('a renewal superseded by a session change', () => {
  it('fails with cancelled (not a no-session error) when another tab signs another user in meanwhile', async () => {
    const w = world({ cacheLocation: 'localstorage' });
    await w.login();
    w.browser.advance(200_000);
    let answer: (() => void) | undefined;
    w.tab.frameAnswer = (request) =>
      new Promise((resolve) => {
        answer = () => resolve(w.op.authorize(request.url));
      });
    const renewal = w.client.getTokenSilently().catch((error: unknown) => error);
    await expect.poll(() => answer).toBeDefined();
    // Meanwhile another tab signs Bob in.
    w.op.sub = 'bob';
    const other = w.openTab();
    await w.login(other.client, other.tab);
    await settle();
    answer?.();
    const error = await renewal;
    expect(error).toMatchObject({ code: 'cancelled' });
    expect(isNoSessionError(error)).toBe(false);
    expect((await w.client.getUser())?.sub).toBe('bob');
  });
});

describe('loginWithRedirect with prompt=none', () => {
  it('is a session check: a no-session answer resolves sessionCheck instead of failing', async () => {
    const w = world();
    w.op.session = false;
    await w.client.loginWithRedirect({ authorizationParams: { prompt: 'none' }, appState: { targetUrl: '/here' } });
    w.tab.url = w.op.callbackUrl(w.tab.navigations.at(-1) as string);
    await expect(w.client.handleRedirectCallback()).resolves.toEqual({
      appState: { targetUrl: '/here' },
      sessionCheck: 'no_session',
    });
  });
});

describe('loginWithPopup', () => {
  it('closes the popup it opened when the login cannot start (discovery fails)', async () => {
    const w = world();
    w.tab.fetch = () => Promise.reject(new TypeError('Failed to fetch'));
    let closed = false;
    const popup = {
      get closed() {
        return closed;
      },
      close() {
        closed = true;
      },
    } as unknown as Window;
    const client = new SsoClient({
      issuer: ISSUER,
      clientId: CLIENT_ID,
      authorizationParams: { redirect_uri: REDIRECT_URI },
      platform: { ...w.tab.platform, openPopup: () => popup },
    });
    await expect(client.loginWithPopup()).rejects.toMatchObject({ code: 'network' });
    expect(closed).toBe(true);
  });
});
