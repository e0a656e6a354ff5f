// Each row of the provider behaviours the SDK absorbs (docs/interop.md, P1–P13), tried against
// the fake provider answering exactly as such providers do. The browser tier runs the same
// behaviours against the dev IdP's profiles.
import { describe, expect, it } from 'vitest';
import { createSsoClient, isNoSessionError, SsoClient, type SsoClientOptions, SsoError } from '../../src/index.js';
import { MemoryStorage } from '../support/fake-browser.js';
import { APP, CLIENT_ID, type FakeOpOptions, ISSUER, REDIRECT_URI } from '../support/fake-op.js';
import { settle, world } from '../support/setup.js';

const EXPIRED = 200_000;

describe('P1: the four "no session" answers of prompt=none', () => {
  it.each(['login_required', 'interaction_required', 'consent_required', 'account_selection_required'])(
    '%s signs the site out at start-up and is a no-session error for getTokenSilently',
    async (answer) => {
      const w = world({}, { noSessionError: answer });
      w.op.session = false;
      const client = await createSsoClient({
        issuer: ISSUER,
        clientId: CLIENT_ID,
        authorizationParams: { redirect_uri: REDIRECT_URI },
        platform: w.tab.platform,
      });
      expect(await client.isAuthenticated()).toBe(false);
      expect(client.lastSessionCheck).toMatchObject({ status: 'signed_out', error: { code: answer, error: answer } });
      // A site nobody signed in to does not bounce its visitor through the provider.
      expect(w.tab.navigations).toHaveLength(0);
      const failure = await client.getTokenSilently().catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(SsoError);
      expect(isNoSessionError(failure)).toBe(true);
    },
  );
});

describe('P2: prompt=none demands id_token_hint', () => {
  it('a site that never signed in starts signed out (invalid_request to a hint-less silent request)', async () => {
    const w = world({}, { requireIdTokenHint: true });
    const client = await createSsoClient({
      issuer: ISSUER,
      clientId: CLIENT_ID,
      authorizationParams: { redirect_uri: REDIRECT_URI },
      platform: w.tab.platform,
    });
    expect(new URL(w.tab.frames[0]?.url as string).searchParams.has('id_token_hint')).toBe(false);
    expect(await client.isAuthenticated()).toBe(false);
    expect(client.lastSessionCheck).toMatchObject({
      status: 'signed_out',
      error: { code: 'login_required', error: 'invalid_request' },
    });
  });

  it('a signed-in site renews silently with its ID token as the hint', async () => {
    const w = world({}, { requireIdTokenHint: true });
    await w.login();
    const idToken = (await w.client.getIdTokenClaims())?.__raw;
    w.browser.advance(EXPIRED);
    await expect(w.client.getTokenSilently()).resolves.toMatch(/^at-/);
    expect(new URL(w.tab.frames.at(-1)?.url as string).searchParams.get('id_token_hint')).toBe(idToken);
  });

  it('a hint the provider no longer accepts is retried once without it, and a live session is found', async () => {
    const w = world();
    await w.login();
    w.browser.advance(EXPIRED);
    // Keys rotated at the provider: it refuses the old ID token as a hint, the session lives on.
    w.tab.frameAnswer = async (request) => {
      const url = new URL(request.url);
      if (url.searchParams.has('id_token_hint')) {
        return new URLSearchParams({ state: request.state, iss: ISSUER, error: 'invalid_request' });
      }
      return w.op.authorize(request.url);
    };
    await expect(w.client.getTokenSilently()).resolves.toMatch(/^at-/);
    expect(w.tab.frames).toHaveLength(2);
  });

  it('a cached user whose hint is refused and whose session is gone is signed out on the next load, once', async () => {
    const w = world({ cacheLocation: 'localstorage' }, { requireIdTokenHint: true });
    await w.login();
    // The provider restarted without its keys and sessions.
    w.op.acceptedHints.clear();
    w.op.session = false;
    w.browser.advance(EXPIRED);
    const reload = w.openTab();
    await reload.client.checkSession();
    expect(await reload.client.isAuthenticated()).toBe(false);
    // A returning user: the SDK looks once at the top level, where the provider says no session.
    expect(reload.client.lastSessionCheck?.status).toBe('redirecting');
    reload.tab.url = w.op.callbackUrl(reload.tab.navigations.at(-1) as string);
    expect(await reload.client.handleRedirectCallback()).toMatchObject({ sessionCheck: 'no_session' });
    expect(reload.client.lastSessionCheck?.status).toBe('signed_out');
    // Healed: the next load asks once and stays signed out, no error.
    const again = w.openTab();
    await again.client.checkSession();
    expect(again.client.lastSessionCheck?.status).toBe('signed_out');
    expect(again.tab.frames).toHaveLength(1);
  });
});

describe('P3: a provider that shows its login page instead of answering prompt=none', () => {
  it('the silent attempt that found a page and no answer signs the site out at start-up', async () => {
    const w = world();
    w.tab.frameAnswer = async () => {
      throw new SsoError('interaction_required', 'The provider showed a page instead of answering silently');
    };
    const client = await createSsoClient({
      issuer: ISSUER,
      clientId: CLIENT_ID,
      authorizationParams: { redirect_uri: REDIRECT_URI },
      platform: w.tab.platform,
    });
    expect(client.lastSessionCheck).toMatchObject({ status: 'signed_out', error: { code: 'interaction_required' } });
    // The SDK inferred it: the provider sent neither an error nor a description.
    expect(client.lastSessionCheck?.error?.errorDescription).toBeUndefined();
  });
});

describe('P4: no web_message', () => {
  it('the hidden iframe comes back to the redirect URI, and messages are taken from the app origin only', async () => {
    const w = world({}, { webMessage: false });
    await w.login();
    w.browser.advance(EXPIRED);
    await w.client.getTokenSilently();
    const frame = w.tab.frames.at(-1);
    const url = new URL(frame?.url as string);
    expect(url.searchParams.get('redirect_uri')).toBe(REDIRECT_URI);
    expect(url.searchParams.has('response_mode')).toBe(false);
    expect(frame?.messageOrigin).toBe(APP);
  });

  it('in its own silent frame the SDK hands the response to the parent, addressed to its origin, and runs no login logic', async () => {
    const w = world({}, { webMessage: false });
    const posted: Array<[unknown, string]> = [];
    w.tab.platform.opener = () => ({
      postMessage: ((message: unknown, origin: string) => void posted.push([message, origin])) as Window['postMessage'],
    });
    w.tab.url = `${REDIRECT_URI}?code=c-1&state=s-1&iss=${encodeURIComponent(ISSUER)}`;
    const client = new SsoClient({
      issuer: ISSUER,
      clientId: CLIENT_ID,
      authorizationParams: { redirect_uri: REDIRECT_URI },
      platform: w.tab.platform,
    });
    await client.checkSession();
    const callback = client.handleRedirectCallback(w.tab.url);
    const settled = await Promise.race([callback.then(() => 'settled'), settle().then(() => 'pending')]);
    expect(settled).toBe('pending');
    expect(posted).toEqual([
      [{ type: 'authorization_response', response: { code: 'c-1', state: 's-1', iss: ISSUER } }, APP],
      [{ type: 'authorization_response', response: { code: 'c-1', state: 's-1', iss: ISSUER } }, APP],
    ]);
    expect(w.tab.frames).toHaveLength(0);
    expect(w.op.calls).toMatchObject({ discovery: 0, token: 0 });
    expect(w.tab.replaced).toHaveLength(0);
  });

  it('a redirect this tab started is handled as a login even inside a frame or popup', async () => {
    const w = world({}, { webMessage: false });
    const posted: unknown[] = [];
    w.tab.platform.opener = () => ({ postMessage: ((message: unknown) => void posted.push(message)) as Window['postMessage'] });
    const client = new SsoClient({
      issuer: ISSUER,
      clientId: CLIENT_ID,
      authorizationParams: { redirect_uri: REDIRECT_URI },
      platform: w.tab.platform,
    });
    await w.login(client);
    expect(posted).toHaveLength(0);
    expect(await client.isAuthenticated()).toBe(true);
  });
});

describe('P5: no RFC 9207 iss', () => {
  it('a provider that neither advertises nor sends iss works', async () => {
    const w = world({}, { issParameter: false });
    await w.login();
    expect(await w.client.isAuthenticated()).toBe(true);
  });

  it('an iss that is sent is checked even when not advertised', async () => {
    const w = world({}, { issParameter: false });
    await w.client.loginWithRedirect();
    const callback = new URL(w.op.callbackUrl(w.tab.navigations.at(-1) as string));
    callback.searchParams.set('iss', 'https://evil.example/');
    w.tab.url = callback.href;
    await expect(w.client.handleRedirectCallback()).rejects.toMatchObject({ code: 'issuer_mismatch' });
  });
});

describe('P6: refresh responses without an ID token', () => {
  it('keeps the identity, renews the access token, and the pair lives as long as the new access token', async () => {
    const w = world({ useRefreshTokens: true }, { refreshIdToken: false, accessTokenSeconds: 150 });
    await w.login();
    const before = await w.client.getIdTokenClaims();
    w.browser.advance(EXPIRED);
    const token = await w.client.getTokenSilently();
    expect(await w.client.getIdTokenClaims()).toEqual(before);
    expect((await w.client.getUser())?.sub).toBe('alice');
    // The renewed pair is a cache hit, not a refresh on every call.
    const refreshes = w.op.calls.refresh;
    expect(await w.client.getTokenSilently()).toBe(token);
    expect(w.op.calls.refresh).toBe(refreshes);
    w.browser.advance(EXPIRED);
    expect(await w.client.getTokenSilently()).not.toBe(token);
    expect(w.op.calls.refresh).toBe(refreshes + 1);
  });

  it('an access token that outlives the carried ID token is served for its whole life, from shared storage too', async () => {
    const w = world(
      { useRefreshTokens: true, cacheLocation: 'localstorage' },
      { refreshIdToken: false, idTokenSeconds: 60, accessTokenSeconds: 600 },
    );
    await w.login();
    w.browser.advance(EXPIRED);
    const token = await w.client.getTokenSilently();
    const refreshes = w.op.calls.refresh;
    w.browser.advance(300_000);
    // Another tab reads the same entry: the stored-entry checks accept the carried identity.
    expect(await w.openTab().client.getTokenSilently()).toBe(token);
    expect(await w.client.getTokenSilently()).toBe(token);
    expect(w.op.calls.refresh).toBe(refreshes);
  });

  it('a code exchange without an ID token is still refused', async () => {
    const w = world();
    await w.client.loginWithRedirect();
    w.tab.url = w.op.callbackUrl(w.tab.navigations.at(-1) as string);
    w.op.nextTokenResponse = () => Response.json({ access_token: 'a', token_type: 'Bearer', expires_in: 60 });
    await expect(w.client.handleRedirectCallback()).rejects.toMatchObject({ code: 'invalid_response' });
  });
});

describe('P7: refresh tokens granted fewer scopes than asked for', () => {
  it('a refresh asks for no scope, so the grant decides, and works', async () => {
    const w = world({ useRefreshTokens: true }, { refreshGrantWithoutOfflineAccess: true });
    await w.login();
    w.browser.advance(EXPIRED);
    await expect(w.client.getTokenSilently()).resolves.toMatch(/^at-/);
    const body = w.op.tokenBodies.at(-1);
    expect(body?.get('grant_type')).toBe('refresh_token');
    expect(body?.has('scope')).toBe(false);
  });
});

describe('P8: token endpoint errors with an empty body', () => {
  it('a refused refresh is invalid_grant; a refused code exchange is a typed error with the status', async () => {
    const w = world({ useRefreshTokens: true }, { emptyTokenErrors: true, rotateRefreshTokens: true });
    await w.login();
    w.browser.advance(EXPIRED);
    await w.client.getTokenSilently();
    // Another client used the rotated token: the provider refuses it with an empty 400.
    w.op.nextTokenResponse = () => new Response(null, { status: 400 });
    w.browser.advance(EXPIRED);
    await expect(w.client.getTokenSilently()).rejects.toMatchObject({ code: 'invalid_grant', status: 400 });

    const other = world({}, { emptyTokenErrors: true });
    await other.client.loginWithRedirect();
    const url = new URL(other.op.callbackUrl(other.tab.navigations.at(-1) as string));
    url.searchParams.set('code', 'forged');
    other.tab.url = url.href;
    await expect(other.client.handleRedirectCallback()).rejects.toMatchObject({ code: 'invalid_response', status: 400 });
    expect(await other.client.isAuthenticated()).toBe(false);
  });
});

describe('P9: refresh tokens that do not rotate', () => {
  it('the same refresh token renews again and again', async () => {
    const w = world({ useRefreshTokens: true }, { rotateRefreshTokens: false });
    await w.login();
    for (let i = 0; i < 3; i++) {
      w.browser.advance(EXPIRED);
      await expect(w.client.getTokenSilently()).resolves.toMatch(/^at-/);
    }
    const sent = w.op.tokenBodies.filter((b) => b.get('grant_type') === 'refresh_token').map((b) => b.get('refresh_token'));
    expect(new Set(sent).size).toBe(1);
  });
});

describe('P10: refresh tokens that survive logout at the provider', () => {
  it('logout revokes this client refresh token where the provider offers revocation', async () => {
    const w = world({ useRefreshTokens: true });
    await w.login();
    const sent = w.op.tokenBodies.length;
    await expect(w.client.logout({ logoutParams: { returnTo: `${APP}/` } })).resolves.toEqual({ provider: 'redirected' });
    expect(w.op.revoked).toHaveLength(1);
    expect(w.op.revoked[0]).toMatch(/^rt-/);
    expect(w.op.tokenBodies).toHaveLength(sent);
    expect(await w.client.isAuthenticated()).toBe(false);
  });

  it('without a revocation endpoint the refresh token is forgotten locally all the same', async () => {
    const w = world({ useRefreshTokens: true, cacheLocation: 'localstorage' }, { revocation: false });
    await w.login();
    await w.client.logout({ openUrl: false });
    expect(w.op.calls.revocation).toBe(0);
    expect(w.browser.local.keys().filter((key) => key.startsWith('@@sso-spa'))).toEqual([]);
  });
});

describe('P11: no end_session_endpoint', () => {
  it('logout ends the app session in every tab and tells the app the SSO session may still be alive', async () => {
    const w = world({}, { endSession: false });
    await w.login();
    const other = w.openTab();
    const result = await w.client.logout({ logoutParams: { returnTo: `${APP}/bye` } });
    expect(result).toEqual({ provider: 'not_supported' });
    expect(w.tab.navigations.at(-1)).toBe(`${APP}/bye`);
    await settle();
    expect(other.events.some((e) => e.type === 'signed_out' && e.reason === 'logout' && e.fromOtherTab)).toBe(true);
  });
});

describe('P12: CORS', () => {
  it('no request to the provider asks for credentials', async () => {
    const inits: Array<RequestInit | undefined> = [];
    const w = world({ useRefreshTokens: true });
    const edge = w.tab.fetch;
    w.tab.fetch = (input, init) => {
      inits.push(init);
      return edge(input, init);
    };
    await w.login();
    w.browser.advance(EXPIRED);
    await w.client.getTokenSilently();
    await w.client.logout({ openUrl: false });
    expect(inits.length).toBeGreaterThan(2);
    expect(inits.every((init) => init?.credentials !== 'include')).toBe(true);
  });
});

describe('P13: issuer with or without a trailing slash', () => {
  it('a configured issuer that differs from discovery by its slash fails the check with both named', async () => {
    const w = world({ issuer: ISSUER.replace(/\/$/, '') });
    const client = await createSsoClient({
      issuer: ISSUER.replace(/\/$/, ''),
      clientId: CLIENT_ID,
      authorizationParams: { redirect_uri: REDIRECT_URI },
      platform: w.tab.platform,
    });
    expect(client.lastSessionCheck?.status).toBe('failed');
    expect(client.lastSessionCheck?.error?.code).toBe('issuer_mismatch');
    expect(client.lastSessionCheck?.error?.message).toContain(JSON.stringify(ISSUER));
    expect(client.lastSessionCheck?.error?.message).toContain(JSON.stringify(ISSUER.replace(/\/$/, '')));
  });
});

describe('start-up never breaks the app', () => {
  const start = (w: ReturnType<typeof world>, more: Partial<SsoClientOptions> = {}) =>
    createSsoClient({
      issuer: ISSUER,
      clientId: CLIENT_ID,
      authorizationParams: { redirect_uri: REDIRECT_URI },
      platform: w.tab.platform,
      ...more,
    });

  it.each<[string, (w: ReturnType<typeof world>) => void, string]>([
    ['the network is down', (w) => (w.tab.fetch = () => Promise.reject(new TypeError('Failed to fetch'))), 'network'],
    ['discovery answers 503', (w) => (w.tab.fetch = async () => new Response('down', { status: 503 })), 'discovery_failed'],
    [
      'the silent frame times out',
      (w) => (w.tab.frameAnswer = () => Promise.reject(new SsoError('timeout', 'The provider did not answer in time'))),
      'timeout',
    ],
    [
      'the provider answers an unknown error',
      (w) =>
        (w.tab.frameAnswer = async (request) =>
          new URLSearchParams({ state: request.state, iss: ISSUER, error: 'server_error' })),
      'oauth_error',
    ],
  ])('resolves signed out when %s, and says why', async (_label, breakIt, code) => {
    const w = world();
    breakIt(w);
    const client = await start(w);
    expect(await client.isAuthenticated()).toBe(false);
    expect(client.lastSessionCheck).toMatchObject({ status: 'failed', error: { code } });
  });

  it('a provider that is reachable but cannot answer silently still lets the app log in', async () => {
    const w = world();
    w.tab.frameAnswer = () => Promise.reject(new SsoError('timeout', 'The provider did not answer in time'));
    const client = await start(w);
    await expect(client.loginWithRedirect()).resolves.toBeUndefined();
    expect(new URL(w.tab.navigations.at(-1) as string).searchParams.has('prompt')).toBe(false);
  });

  it('announces the check as an event', async () => {
    const w = world();
    w.op.session = false;
    await w.client.checkSession();
    expect(w.events.at(-1)).toMatchObject({ type: 'session_check', status: 'signed_out', code: 'login_required' });
  });

  it('rejects invalid options only', async () => {
    await expect(createSsoClient({ issuer: '', clientId: 'x' })).rejects.toMatchObject({ code: 'invalid_options' });
  });
});

describe('both cookie regimes: the default top-level session check', () => {
  const blockedFrame = (w: ReturnType<typeof world>) => {
    // Third-party cookies blocked: the hidden iframe never sees the provider's session.
    w.tab.frameAnswer = async (request) => new URLSearchParams({ state: request.state, iss: ISSUER, error: 'login_required' });
  };

  it('a returning user (memory cache, new tab) finds the session by one top-level redirect, without a form', async () => {
    const w = world();
    await w.login();
    const tab = w.openTab();
    blockedFrame({ ...w, tab: tab.tab });
    tab.tab.url = `${APP}/orders`;
    await tab.client.checkSession();
    // The page is going: an app renders nothing and starts no login of its own.
    expect(tab.client.lastSessionCheck?.status).toBe('redirecting');
    const url = new URL(tab.tab.navigations[0] as string);
    expect(url.searchParams.get('prompt')).toBe('none');
    tab.tab.url = w.op.callbackUrl(url.href);
    expect(await tab.client.handleRedirectCallback()).toEqual({
      appState: { targetUrl: '/orders' },
      sessionCheck: 'signed_in',
    });
  });

  it('an anonymous visitor is never bounced through the provider; checkSessionRedirect: true does', async () => {
    const w = world();
    blockedFrame(w);
    await w.client.checkSession();
    expect(w.tab.navigations).toHaveLength(0);
    const eager = world({ checkSessionRedirect: true });
    blockedFrame(eager);
    await eager.client.checkSession();
    expect(eager.tab.navigations).toHaveLength(1);
  });

  it('after a logout, or a top-level check that found no session, the site is no longer returning', async () => {
    const w = world();
    await w.login();
    await w.client.logout({ openUrl: false });
    const tab = w.openTab();
    blockedFrame({ ...w, tab: tab.tab });
    await tab.client.checkSession();
    expect(tab.tab.navigations).toHaveLength(0);

    const gone = world();
    await gone.login();
    gone.op.session = false;
    const next = gone.openTab();
    await next.client.checkSession();
    next.tab.url = gone.op.callbackUrl(next.tab.navigations[0] as string);
    expect(await next.client.handleRedirectCallback()).toMatchObject({ sessionCheck: 'no_session' });
    const later = gone.openTab();
    await later.client.checkSession();
    expect(later.tab.navigations).toHaveLength(0);
  });

  it('without storage the returning mark is simply absent', async () => {
    const w = world();
    const broken = new MemoryStorage();
    broken.failWrites = true;
    w.tab.platform.storage = (kind) => (kind === 'local' ? broken : w.tab.session);
    await expect(w.login()).resolves.toBeUndefined();
  });
});

// Type check of the fake provider's options used above.
export type _Used = FakeOpOptions;

describe('TLS to the token endpoint', () => {
  it('refuses a token endpoint on plain http that is not loopback, before sending anything', async () => {
    const w = world();
    w.op.metadata.token_endpoint = 'http://op.example/oauth/token';
    await w.client.loginWithRedirect();
    w.tab.url = w.op.callbackUrl(w.tab.navigations.at(-1) as string);
    await expect(w.client.handleRedirectCallback()).rejects.toMatchObject({ code: 'discovery_failed' });
    expect(w.op.calls.token).toBe(0);
  });
});
