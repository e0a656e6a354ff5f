import { afterEach, describe, expect, it } from 'vitest';
import { createSessionManager, type SessionManager, type SessionManagerOptions } from '../../src/session/index.js';
import { MAX_TIMEOUT_MS } from '../../src/testing.js';
import { FakeBrowser, type FakeClient, FakeIdp, type FakeTab, flush } from './fakes.js';

const DAY = 86_400_000;
const managers: SessionManager[] = [];

afterEach(() => {
  for (const manager of managers.splice(0)) manager.destroy();
});

interface Tab {
  tab: FakeTab;
  client: FakeClient;
  session: SessionManager;
}

function setup(options: SessionManagerOptions = {}, count = 1, tabOptions: { broadcastChannel?: boolean } = {}) {
  const browser = new FakeBrowser();
  const idp = new FakeIdp(browser.clock);
  const tabs: Tab[] = [];
  for (let i = 0; i < count; i++) {
    const tab = browser.tab(tabOptions);
    const client = idp.client();
    const session = createSessionManager(client, {
      probeProvider: false,
      deadlineMarginSeconds: 0,
      ...options,
      platform: tab.platform,
    });
    managers.push(session);
    tabs.push({ tab, client, session });
  }
  const [a, b] = tabs as [Tab, Tab];
  return { browser, idp, clock: browser.clock, a, b };
}

describe('session view', () => {
  it('starts signed out, becomes active at sign-in with the SSO deadline at the round trip plus the idle timeout', async () => {
    const { clock, a } = setup();
    await flush();
    expect(a.session.getSnapshot().status).toBe('signed_out');
    const t0 = clock.now;
    a.client.tokens('redirect');
    expect(a.session.getSnapshot()).toMatchObject({
      status: 'active',
      ssoIdleDeadline: t0 + 300_000,
      deadline: t0 + 300_000,
      tokenExpiresAt: t0 + 150_000,
      lastProviderRoundTripAt: t0,
      strategy: 'iframe',
    });
    expect(a.session.getSnapshot().events.at(-1)).toMatchObject({ type: 'signed_in' });
  });

  it('dates the provider’s slide a second early by default, so its whole-second expiry is never overstated', async () => {
    const { clock, a } = setup({ deadlineMarginSeconds: undefined });
    await flush();
    const t0 = clock.now;
    a.client.tokens('redirect');
    expect(a.session.getSnapshot()).toMatchObject({ lastProviderRoundTripAt: t0 - 1000, ssoIdleDeadline: t0 - 1000 + 300_000 });
  });

  it('starts from the cache when the tab opens signed in', async () => {
    const browser = new FakeBrowser();
    const idp = new FakeIdp(browser.clock);
    const client = idp.client();
    client.authenticated = true;
    const iat = Math.floor(browser.clock.now / 1000) - 100;
    client.claims = { iat, exp: iat + 150 };
    const session = createSessionManager(client, {
      probeProvider: false,
      deadlineMarginSeconds: 0,
      platform: browser.tab().platform,
    });
    managers.push(session);
    await flush();
    expect(session.getSnapshot()).toMatchObject({
      status: 'active',
      ssoIdleDeadline: (iat + 300) * 1000,
      tokenExpiresAt: (iat + 150) * 1000,
    });
  });

  it('does not carry an old session’s instants into a new one opened later', async () => {
    const { browser, idp, clock, a } = setup();
    a.client.tokens('redirect');
    a.session.destroy();
    // The browser was closed; a day later the user signs in again and the app starts after the callback.
    clock.jump(DAY);
    const client = idp.client();
    client.authenticated = true;
    const now = Math.floor(clock.now / 1000);
    client.claims = { iat: now, exp: now + 150, auth_time: now };
    const next = createSessionManager(client, {
      probeProvider: false,
      deadlineMarginSeconds: 0,
      platform: browser.tab().platform,
    });
    managers.push(next);
    await flush();
    expect(next.getSnapshot()).toMatchObject({
      status: 'active',
      ssoIdleDeadline: clock.now + 300_000,
      lastProviderRoundTripAt: clock.now,
    });
  });

  it('forgets the session’s instants at sign-out', async () => {
    const { browser, clock, a } = setup();
    a.client.tokens('redirect');
    await clock.advance(1000);
    await a.session.logout();
    expect(a.session.getSnapshot()).toMatchObject({ status: 'signed_out', lastProviderRoundTripAt: undefined });
    expect(JSON.parse(browser.storage.get('sso-spa.session:state')!)).not.toHaveProperty('providerRoundTripAt');
  });

  it('returns the same snapshot object until something changes', async () => {
    const { clock, a } = setup();
    a.client.tokens('redirect');
    const first = a.session.getSnapshot();
    await clock.advance(10_000);
    expect(a.session.getSnapshot()).toBe(first);
    a.tab.input();
    expect(a.session.getSnapshot()).not.toBe(first);
    const second = a.session.getSnapshot();
    expect(a.session.getSnapshot()).toBe(second);
  });

  it('does not count the SDK’s own renewals as activity', async () => {
    const { clock, a } = setup();
    a.client.tokens('redirect');
    await clock.advance(5_000);
    a.tab.input();
    const activity = a.session.getSnapshot().lastActivityAt;
    await clock.advance(200_000);
    expect(a.client.calls).toHaveLength(1);
    expect(a.session.getSnapshot().lastActivityAt).toBe(activity);
  });

  it('keeps a bounded timeline', async () => {
    const { clock, a } = setup({ timelineSize: 3 });
    for (let i = 0; i < 5; i++) {
      a.client.tokens('redirect');
      await clock.advance(1000);
    }
    expect(a.session.getSnapshot().events).toHaveLength(3);
  });

  it('rejects a warning as long as the idle timeout', () => {
    const browser = new FakeBrowser();
    const client = new FakeIdp(browser.clock).client();
    expect(() => createSessionManager(client, { ssoIdleTimeoutSeconds: 60, warnBeforeSeconds: 60 })).toThrow(
      expect.objectContaining({ code: 'invalid_options' }),
    );
  });
});

describe('keep-alive', () => {
  it('renews an active user through the provider before the tokens expire, which slides the SSO deadline', async () => {
    const { clock, a } = setup();
    const t0 = clock.now;
    a.client.tokens('redirect');
    await clock.advance(60_000);
    a.tab.input('keydown');
    await clock.advance(60_000);
    expect(a.client.calls).toEqual([{ renewVia: 'provider', at: t0 + 120_000 }]);
    expect(a.session.getSnapshot()).toMatchObject({
      status: 'active',
      ssoIdleDeadline: t0 + 420_000,
      tokenExpiresAt: t0 + 270_000,
    });
  });

  it('dates the slide at the start of the renewal, never later, in every tab', async () => {
    const { clock, idp, a, b } = setup({}, 2);
    idp.latencyMs = 700;
    a.client.tokens('redirect');
    await clock.advance(60_000);
    a.tab.input();
    await clock.advance(60_000);
    const call = a.client.calls[0]!;
    await flush();
    expect(clock.now).toBeGreaterThan(call.at);
    for (const tab of [a, b]) expect(tab.session.getSnapshot().ssoIdleDeadline).toBe(call.at + 300_000);
  });

  it('does not renew for an idle user', async () => {
    const { clock, a } = setup();
    a.client.tokens('redirect');
    await clock.advance(239_000);
    expect(a.client.calls).toEqual([]);
    expect(a.session.getSnapshot().status).toBe('active');
  });

  it('never shows an active user the warning', async () => {
    const { clock, a } = setup();
    a.client.tokens('redirect');
    for (let i = 0; i < 30; i++) {
      await clock.advance(20_000);
      a.tab.input('pointermove');
      expect(a.session.getSnapshot().status).toBe('active');
    }
    expect(a.client.calls.length).toBeGreaterThanOrEqual(4);
  });
});

describe('idle warning', () => {
  it('warns 60 s before the SSO session goes idle and counts down', async () => {
    const { clock, a } = setup();
    a.client.tokens('redirect');
    await clock.advance(239_999);
    expect(a.session.getSnapshot().status).toBe('active');
    await clock.advance(1);
    expect(a.session.getSnapshot()).toMatchObject({ status: 'warning', secondsLeft: 60, warningFor: 'sso_idle' });
    await clock.advance(1000);
    expect(a.session.getSnapshot().secondsLeft).toBe(59);
    const warning = a.session.getSnapshot();
    a.tab.input('pointermove');
    expect(a.session.getSnapshot()).toBe(warning);
  });

  it('continue in one tab renews through the provider with the cache bypassed and clears the warning in every tab', async () => {
    const { clock, a, b } = setup({}, 2);
    a.client.tokens('redirect');
    await clock.advance(250_000);
    expect(a.session.getSnapshot().status).toBe('warning');
    expect(b.session.getSnapshot().status).toBe('warning');
    await b.session.continueSession();
    await flush();
    expect(b.client.calls).toEqual([{ renewVia: 'provider', at: clock.now }]);
    for (const tab of [a, b]) {
      expect(tab.session.getSnapshot()).toMatchObject({ status: 'active', ssoIdleDeadline: clock.now + 300_000 });
    }
    expect(a.session.getSnapshot().events.map((e) => e.type)).toContain('continued');
  });

  it('ignoring the warning ends the session in every tab with reason idle', async () => {
    const { clock, a, b } = setup({}, 2);
    a.client.tokens('redirect');
    await clock.advance(300_000);
    for (const tab of [a, b]) {
      expect(tab.session.getSnapshot()).toMatchObject({ status: 'expired', reason: 'idle' });
      expect(tab.client.authenticated).toBe(false);
    }
    expect([...a.client.cleared, ...b.client.cleared]).toEqual(['idle']);
  });

  it('continue rejects when there is no session', async () => {
    const { a } = setup();
    await flush();
    await expect(a.session.continueSession()).rejects.toMatchObject({ code: 'login_required' });
  });
});

describe('ended elsewhere', () => {
  it('a login_required at a keep-alive renewal ends the session everywhere', async () => {
    const { clock, idp, a, b } = setup({}, 2);
    a.client.tokens('redirect');
    await clock.advance(100_000);
    a.tab.input();
    idp.provider = { code: 'login_required' };
    await clock.advance(30_000);
    expect(a.client.cleared).toEqual(['ended_elsewhere']);
    for (const tab of [a, b]) expect(tab.session.getSnapshot()).toMatchObject({ status: 'expired', reason: 'ended_elsewhere' });
  });

  it('checks on focus and visibility, throttled, and a login_required ends the session', async () => {
    const { clock, idp, a } = setup({ focusCheckThrottleSeconds: 30 });
    a.client.tokens('redirect');
    await clock.advance(90_000);
    a.tab.focus();
    await flush();
    expect(a.client.calls).toHaveLength(1);
    a.tab.hide();
    a.tab.show();
    await flush();
    expect(a.client.calls).toHaveLength(1);
    idp.provider = { code: 'login_required' };
    await clock.advance(30_000);
    a.tab.show();
    await flush();
    expect(a.client.calls).toHaveLength(2);
    expect(a.session.getSnapshot()).toMatchObject({ status: 'expired', reason: 'ended_elsewhere' });
  });

  it('a renewal cancelled by a session change (another user signed in) ends nothing', async () => {
    const { clock, a } = setup();
    a.client.tokens('redirect');
    await clock.advance(90_000);
    a.client.emit({ type: 'renewal_failed', code: 'cancelled', at: clock.now });
    await flush();
    expect(a.client.cleared).toEqual([]);
    expect(a.session.getSnapshot().status).not.toBe('expired');
  });

  it('a login_required from the app’s own renewal ends the session', async () => {
    const { clock, a } = setup();
    a.client.tokens('redirect');
    await clock.advance(90_000);
    a.client.emit({ type: 'renewal_failed', code: 'login_required', at: clock.now });
    await flush();
    expect(a.session.getSnapshot()).toMatchObject({ status: 'expired', reason: 'ended_elsewhere' });
  });
});

describe('provider not reachable silently', () => {
  it('falls back to refresh tokens when the iframe says login_required but a refresh token works, and reports no extension', async () => {
    const { clock, idp, a } = setup({ probeProvider: true });
    idp.provider = { code: 'login_required' };
    idp.refresh = 'ok';
    const t0 = clock.now;
    a.client.tokens('redirect');
    await flush();
    expect(a.client.calls.map((c) => c.renewVia)).toEqual(['provider', 'refresh_token']);
    expect(a.session.getSnapshot()).toMatchObject({
      status: 'active',
      strategy: 'refresh_token',
      providerReachable: false,
      ssoIdleDeadline: t0 + 300_000,
    });
    // An active user's tokens are renewed by refresh token, never through the blocked iframe...
    await clock.advance(100_000);
    a.tab.input();
    await clock.advance(30_000);
    expect(a.client.calls.map((c) => c.renewVia)).toEqual(['provider', 'refresh_token', 'refresh_token']);
    // ...and the SSO deadline stays where the last real round trip put it.
    expect(a.session.getSnapshot().ssoIdleDeadline).toBe(t0 + 300_000);
    await clock.advance(115_000);
    expect(a.session.getSnapshot().status).toBe('warning');
    // Continue can only reach the provider at the top level.
    await a.session.continueSession();
    expect(a.client.redirects).toEqual([{ authorizationParams: { prompt: 'none' } }]);
  });

  it('continues at the top level with the ID token as id_token_hint, for providers that demand one (P2)', async () => {
    const { clock, idp, a } = setup({ probeProvider: true });
    idp.provider = { code: 'login_required' };
    idp.refresh = 'ok';
    a.client.tokens('redirect');
    a.client.claims = { __raw: 'id.token.signature' };
    await flush();
    expect(a.session.getSnapshot().strategy).toBe('refresh_token');
    await clock.advance(250_000);
    expect(a.session.getSnapshot().status).toBe('warning');
    await a.session.continueSession();
    expect(a.client.redirects).toEqual([{ authorizationParams: { prompt: 'none', id_token_hint: 'id.token.signature' } }]);
  });

  it('returns the user to the page they were on, read through the platform seam', async () => {
    const browser = new FakeBrowser();
    const idp = new FakeIdp(browser.clock);
    const tab = browser.tab();
    const client = idp.client();
    const session = createSessionManager(client, {
      probeProvider: true,
      deadlineMarginSeconds: 0,
      platform: { ...tab.platform, currentUrl: () => 'https://app.example/orders?page=2#top' },
    });
    managers.push(session);
    idp.provider = { code: 'login_required' };
    idp.refresh = 'ok';
    client.tokens('redirect');
    await flush();
    await browser.clock.advance(250_000);
    await session.continueSession();
    expect(client.redirects).toEqual([
      { authorizationParams: { prompt: 'none' }, appState: { targetUrl: '/orders?page=2#top' } },
    ]);
  });

  it('where only a top-level round trip slides the SSO session, an active user’s navigation takes it, and the page that comes back says so', async () => {
    const { clock, idp, a } = setup({ probeProvider: true });
    idp.provider = { code: 'login_required' };
    a.client.tokens('redirect');
    a.client.claims = { __raw: 'id.token.signature' };
    await flush();
    expect(a.session.getSnapshot().strategy).toBe('redirect');
    // Too early (the window opens halfway from the round trip to the warning): navigate as usual.
    await clock.advance(1_000);
    a.tab.input();
    expect(a.session.extendOnNavigation('/orders')).toBe(false);
    await clock.advance(119_000);
    expect(a.session.getSnapshot()).toMatchObject({ status: 'active', extendOnNavigation: true });
    expect(a.session.extendOnNavigation('/orders?page=2#top')).toBe(true);
    await flush();
    expect(a.client.redirects).toEqual([
      {
        authorizationParams: { prompt: 'none', id_token_hint: 'id.token.signature' },
        appState: { targetUrl: '/orders?page=2#top' },
      },
    ]);
    expect(a.session.getSnapshot().events.at(-1)).toMatchObject({ type: 'extended', detail: 'on navigation' });
    // The round trip reloads the page: the manager created there tells which path was taken.
    a.session.destroy();
    const back = createSessionManager(a.client, { probeProvider: false, platform: a.tab.platform });
    managers.push(back);
    await flush();
    expect(back.getSnapshot().events).toEqual([
      expect.objectContaining({ type: 'extended', detail: 'on navigation, back from the provider' }),
    ]);
  });

  it('leaves navigation alone where the hidden iframe keeps the SSO session sliding', async () => {
    const { clock, a } = setup({ probeProvider: true });
    a.client.tokens('redirect');
    await flush();
    await clock.advance(1_000);
    a.tab.input();
    await clock.advance(119_000);
    expect(a.session.getSnapshot()).toMatchObject({ strategy: 'iframe', extendOnNavigation: false });
    expect(a.session.extendOnNavigation('/orders')).toBe(false);
    expect(a.client.redirects).toEqual([]);
  });

  it('with ssoSessionEnd: outlive, the app session outlives the SSO session and ends only at its own idle limit', async () => {
    const { clock, a } = setup({ ssoSessionEnd: 'outlive', appIdleTimeoutSeconds: 3_600 });
    a.client.tokens('redirect');
    await flush();
    const t0 = clock.now;
    expect(a.session.getSnapshot()).toMatchObject({ status: 'active', ssoIdleDeadline: t0 + 300_000, deadline: t0 + 3_600_000 });
    await clock.advance(400_000);
    // Past the SSO session's idle end: no warning, no sign-out, nothing asked of the provider.
    expect(a.session.getSnapshot()).toMatchObject({ status: 'active', extendOnNavigation: false });
    expect(a.client.cleared).toEqual([]);
    await clock.advance(3_600_000 - 400_000 - 60_000);
    expect(a.session.getSnapshot()).toMatchObject({ status: 'warning', warningFor: 'app_idle' });
    await clock.advance(60_000);
    expect(a.session.getSnapshot()).toMatchObject({ status: 'expired', reason: 'idle' });
  });

  it('with refreshExtendsSession a refresh token grant slides the SSO session', async () => {
    const { clock, idp, a } = setup({ probeProvider: true, refreshExtendsSession: true });
    idp.provider = { code: 'login_required' };
    idp.refresh = 'ok';
    a.client.tokens('redirect');
    await flush();
    expect(a.session.getSnapshot()).toMatchObject({ strategy: 'refresh_token', ssoIdleDeadline: clock.now + 300_000 });
    await clock.advance(100_000);
    a.tab.input();
    await clock.advance(30_000);
    const last = a.client.calls.at(-1)!;
    expect(last.renewVia).toBe('refresh_token');
    expect(a.session.getSnapshot().ssoIdleDeadline).toBe(last.at + 300_000);
  });

  it('without a refresh token, right after a top-level login, it says only a redirect reaches the provider', async () => {
    const { clock, idp, a } = setup({ probeProvider: true });
    idp.provider = { code: 'login_required' };
    a.client.tokens('redirect');
    await flush();
    expect(a.session.getSnapshot()).toMatchObject({ status: 'active', strategy: 'redirect', providerReachable: false });
    await clock.advance(100_000);
    a.tab.input();
    await clock.advance(100_000);
    expect(a.client.calls).toHaveLength(2);
    await clock.advance(50_000);
    await a.session.continueSession();
    expect(a.client.redirects).toHaveLength(1);
  });

  it('a working probe says the provider is reachable', async () => {
    const { a } = setup({ probeProvider: true });
    a.client.tokens('redirect');
    await flush();
    expect(a.session.getSnapshot()).toMatchObject({ strategy: 'iframe', providerReachable: true });
  });

  it('shares the verdict with the other tabs', async () => {
    const { idp, a, b } = setup({ probeProvider: true }, 2);
    idp.provider = { code: 'login_required' };
    idp.refresh = 'ok';
    a.client.tokens('redirect');
    await flush();
    expect(b.session.getSnapshot()).toMatchObject({ strategy: 'refresh_token', providerReachable: false });
  });
});

describe('tabs', () => {
  for (const broadcastChannel of [true, false]) {
    it(`share activity (${broadcastChannel ? 'BroadcastChannel' : 'storage events'})`, async () => {
      const { clock, a, b } = setup({}, 2, { broadcastChannel });
      a.client.tokens('redirect');
      await clock.advance(10_000);
      a.tab.input();
      await flush();
      expect(b.session.getSnapshot().lastActivityAt).toBe(clock.now);
      // The tab with the input renews; the other one does not duplicate the round trip.
      await clock.advance(140_000);
      expect(a.client.calls).toHaveLength(1);
      expect(b.client.calls).toHaveLength(0);
      expect(b.session.getSnapshot().ssoIdleDeadline).toBe(a.session.getSnapshot().ssoIdleDeadline);
    });
  }

  it('a login in one tab signs in the others; a logout signs all out', async () => {
    const { a, b } = setup({}, 2);
    await flush();
    a.client.tokens('redirect');
    expect(b.session.getSnapshot().status).toBe('active');
    await b.session.logout();
    expect(b.client.logouts).toBe(1);
    expect(a.session.getSnapshot().status).toBe('signed_out');
    expect(b.session.getSnapshot().status).toBe('signed_out');
  });

  it('a new tab starts from the shared view', async () => {
    const { browser, idp, clock, a } = setup();
    a.client.tokens('redirect');
    await clock.advance(50_000);
    a.tab.input();
    const client = idp.client();
    client.authenticated = true;
    client.claims = { iat: Math.floor(clock.now / 1000), exp: Math.floor(clock.now / 1000) + 150 };
    const late = createSessionManager(client, {
      probeProvider: false,
      deadlineMarginSeconds: 0,
      platform: browser.tab().platform,
    });
    managers.push(late);
    await flush();
    expect(late.getSnapshot()).toMatchObject({
      ssoIdleDeadline: a.session.getSnapshot().ssoIdleDeadline,
      lastActivityAt: a.session.getSnapshot().lastActivityAt,
    });
  });
});

describe('long-lived sessions and clocks', () => {
  it('waits out a 100-day idle timeout with no setTimeout longer than 2^31-1 ms', async () => {
    const { clock, idp, a } = setup({ ssoIdleTimeoutSeconds: 100 * 86_400, ssoAbsoluteTimeoutSeconds: 365 * 86_400 });
    idp.tokenSeconds = 3600;
    const t0 = clock.now;
    a.client.tokens('redirect');
    expect(a.session.getSnapshot().ssoIdleDeadline).toBe(t0 + 100 * DAY);
    await clock.advance(100 * DAY - 60_001);
    expect(a.session.getSnapshot().status).toBe('active');
    await clock.advance(1);
    expect(a.session.getSnapshot()).toMatchObject({ status: 'warning', secondsLeft: 60 });
    await clock.advance(60_000);
    expect(a.session.getSnapshot()).toMatchObject({ status: 'expired', reason: 'idle' });
    expect(Math.max(...clock.delays)).toBeLessThanOrEqual(MAX_TIMEOUT_MS);
    expect(clock.delays.filter((d) => d === MAX_TIMEOUT_MS).length).toBeGreaterThanOrEqual(3);
  });

  it('ends at the one-year absolute cap however often the user continues', async () => {
    const { clock, idp, a } = setup({ ssoIdleTimeoutSeconds: 100 * 86_400, ssoAbsoluteTimeoutSeconds: 365 * 86_400 });
    idp.tokenSeconds = 3600;
    const t0 = clock.now;
    a.client.tokens('redirect');
    for (let i = 0; i < 3; i++) {
      await clock.advance(99 * DAY);
      await a.session.continueSession();
    }
    expect(a.session.getSnapshot()).toMatchObject({ absoluteDeadline: t0 + 365 * DAY, ssoIdleDeadline: t0 + 365 * DAY });
    await clock.advance(t0 + 365 * DAY - 60_000 - clock.now);
    expect(a.session.getSnapshot()).toMatchObject({ status: 'warning', warningFor: 'absolute' });
    await clock.advance(60_000);
    expect(a.session.getSnapshot()).toMatchObject({ status: 'expired', reason: 'absolute' });
    expect(a.client.cleared).toEqual(['idle']);
    expect(Math.max(...clock.delays)).toBeLessThanOrEqual(MAX_TIMEOUT_MS);
  });

  it('applies the app’s own inactivity limit under a long SSO session', async () => {
    const { clock, idp, a } = setup({ ssoIdleTimeoutSeconds: 100 * 86_400, appIdleTimeoutSeconds: 3600 });
    idp.tokenSeconds = 600;
    a.client.tokens('redirect');
    await clock.advance(3540_000);
    expect(a.session.getSnapshot()).toMatchObject({ status: 'warning', warningFor: 'app_idle', secondsLeft: 60 });
    await a.session.continueSession();
    expect(a.session.getSnapshot()).toMatchObject({ status: 'active', appIdleDeadline: clock.now + 3600_000 });
    await clock.advance(3600_000);
    expect(a.session.getSnapshot()).toMatchObject({ status: 'expired', reason: 'idle' });
  });

  it('notices a deadline passed during sleep as soon as the tab is visible again', async () => {
    const { clock, a } = setup();
    a.client.tokens('redirect');
    await clock.advance(10_000);
    a.tab.hide();
    clock.jump(400_000);
    expect(a.session.getSnapshot().status).toBe('active');
    a.tab.show();
    expect(a.session.getSnapshot()).toMatchObject({ status: 'expired', reason: 'idle' });
  });

  it('survives a clock set back: the timer re-arms against the deadline instead of firing early', async () => {
    const { clock, a } = setup();
    const t0 = clock.now;
    a.client.tokens('redirect');
    clock.jump(-3_600_000);
    await clock.advance(240_000);
    // The timer fired on its duration, but the clock says the deadline is still an hour away.
    expect(a.session.getSnapshot()).toMatchObject({ status: 'active', ssoIdleDeadline: t0 + 300_000 });
    await clock.advance(3_600_000);
    expect(a.session.getSnapshot().status).toBe('warning');
  });
});

describe('destroy', () => {
  it('leaves the session alone when a renewal answers after destroy()', async () => {
    const { clock, idp, a } = setup();
    a.client.tokens('redirect');
    await clock.advance(90_000);
    idp.provider = { code: 'login_required' };
    a.tab.focus();
    a.session.destroy();
    await flush();
    expect(a.client.calls).toHaveLength(1);
    expect(a.client.cleared).toEqual([]);
  });

  it('removes every listener, timer and channel', async () => {
    const { browser, clock, a, b } = setup({}, 2);
    a.client.tokens('redirect');
    await clock.advance(1000);
    a.tab.input();
    a.session.destroy();
    b.session.destroy();
    for (const tab of [a, b]) {
      expect(tab.tab.document.listeners).toBe(0);
      expect(tab.tab.window.listeners).toBe(0);
      expect(tab.client.listenerCount).toBe(0);
    }
    expect(clock.timers.size).toBe(0);
    expect(browser.channels.size).toBe(0);
  });
});
