import { describe, expect, it } from 'vitest';
import type { DevIdp, DevSession } from '../src/index.js';
import { Agent, API, authorize, exchangeCode, sleepUntilEpoch, startIdp, tokenRequest } from './helpers.js';

// Compressed timings. Session deadlines are whole epoch seconds, so every wait below sleeps
// until just past an epoch second derived from what the IdP reports, and every request that
// must find the session is made at least two seconds before its deadline.

async function onlySession(idp: DevIdp): Promise<DevSession> {
  const sessions = await idp.listSessions();
  expect(sessions).toHaveLength(1);
  return sessions[0]!;
}

async function silent(agent: Agent, idp: DevIdp) {
  return authorize(agent, idp, { prompt: 'none' }, undefined);
}

describe('SSO session idle timeout', { timeout: 20_000 }, () => {
  it('slides on every authorization request that finds the session and ends after idleness', async () => {
    const idp = await startIdp({ sessionIdleSeconds: 4, sessionAbsoluteSeconds: 60 });
    try {
      const agent = new Agent(idp);
      await authorize(agent, idp);
      const atLogin = await onlySession(idp);
      expect(atLogin.idleExpiresAt).toBe(atLogin.lastActiveAt + 4);
      expect(atLogin.absoluteExpiresAt).toBe(atLogin.loginAt + 60);

      // Two seconds in (two seconds before the login's deadline), a silent request slides it.
      await sleepUntilEpoch(atLogin.loginAt + 2);
      expect((await silent(agent, idp)).code).toBeTruthy();
      const afterSilent = await onlySession(idp);
      expect(afterSilent.lastActiveAt).toBeGreaterThanOrEqual(atLogin.loginAt + 2);
      expect(afterSilent.idleExpiresAt).toBe(afterSilent.lastActiveAt + 4);
      expect(afterSilent.idleExpiresAt).toBeGreaterThanOrEqual(atLogin.idleExpiresAt + 2);

      // Past the deadline the login set, the session is alive because the silent request slid it.
      await sleepUntilEpoch(atLogin.idleExpiresAt);
      expect((await silent(agent, idp)).code).toBeTruthy();
      const slid = await onlySession(idp);

      // Idle past the current deadline: the session is gone.
      await sleepUntilEpoch(slid.idleExpiresAt);
      expect(await idp.listSessions()).toEqual([]);
      expect((await silent(agent, idp)).error).toBe('login_required');
    } finally {
      await idp.close();
    }
  });

  it('is never extended past the absolute cap since login', async () => {
    const idp = await startIdp({ sessionIdleSeconds: 3, sessionAbsoluteSeconds: 4 });
    try {
      const agent = new Agent(idp);
      await authorize(agent, idp);
      const atLogin = await onlySession(idp);
      expect(atLogin.absoluteExpiresAt).toBe(atLogin.loginAt + 4);
      // Keep the user active: each slide would reach past the cap, and stops at it.
      for (const second of [1, 2]) {
        await sleepUntilEpoch(atLogin.loginAt + second);
        expect((await silent(agent, idp)).code).toBeTruthy();
        const now = await onlySession(idp);
        expect(now.lastActiveAt).toBeGreaterThanOrEqual(atLogin.loginAt + second);
        expect(now.idleExpiresAt).toBe(atLogin.absoluteExpiresAt);
      }
      await sleepUntilEpoch(atLogin.absoluteExpiresAt);
      expect((await silent(agent, idp)).error).toBe('login_required');
      // An interactive sign-in starts a new session with a new cap.
      const again = await authorize(agent, idp);
      expect(again.code).toBeTruthy();
      expect((await onlySession(idp)).loginAt).toBeGreaterThan(atLogin.loginAt);
    } finally {
      await idp.close();
    }
  });
});

describe('refreshExtendsSession', { timeout: 20_000 }, () => {
  async function refreshAfterASecond(refreshExtendsSession: boolean) {
    const idp = await startIdp({ sessionIdleSeconds: 30, refreshExtendsSession });
    try {
      const agent = new Agent(idp);
      const { json } = await exchangeCode(agent, await authorize(agent, idp, { scope: 'openid offline_access', audience: API }));
      const before = await onlySession(idp);
      // The IdP keeps whole seconds: let its clock pass the login's second.
      await sleepUntilEpoch(before.lastActiveAt + 1);
      const refreshed = await tokenRequest(agent, {
        grant_type: 'refresh_token',
        client_id: 'site-a',
        refresh_token: json.refresh_token!,
      });
      expect(refreshed.status).toBe(200);
      return { before, after: await onlySession(idp) };
    } finally {
      await idp.close();
    }
  }

  it('is off by default: a refresh leaves the SSO session deadline alone', async () => {
    const { before, after } = await refreshAfterASecond(false);
    expect(after.idleExpiresAt).toBe(before.idleExpiresAt);
    expect(after.lastActiveAt).toBe(before.lastActiveAt);
  });

  it('when on, a refresh slides the SSO session', async () => {
    const { before, after } = await refreshAfterASecond(true);
    expect(after.idleExpiresAt).toBeGreaterThan(before.idleExpiresAt);
    expect(after.idleExpiresAt).toBe(after.lastActiveAt + 30);
  });
});

describe('token lifetimes', { timeout: 20_000 }, () => {
  it('follow the configuration', async () => {
    const idp = await startIdp({ idTokenSeconds: 4, accessTokenSeconds: 5, refreshTokenSeconds: 3600 });
    try {
      const agent = new Agent(idp);
      const { json } = await exchangeCode(agent, await authorize(agent, idp, { scope: 'openid offline_access', audience: API }));
      const decode = (token?: string) =>
        JSON.parse(Buffer.from(token!.split('.')[1]!, 'base64url').toString()) as { exp: number; iat: number };
      const id = decode(json.id_token);
      const access = decode(json.access_token);
      expect(id.exp - id.iat).toBe(4);
      expect(access.exp - access.iat).toBe(5);
      expect(json.expires_in).toBe(5);
    } finally {
      await idp.close();
    }
  });
});
