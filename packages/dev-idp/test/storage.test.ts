import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Agent, API, authorize, exchangeCode, startIdp, tokenRequest } from './helpers.js';

describe('file storage', { timeout: 20_000 }, () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sso-spa-dev-idp-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps sessions, grants, refresh tokens and keys across a restart', async () => {
    const file = join(dir, 'idp.json');
    const first = await startIdp({ storage: { file } });
    const agent = new Agent(first);
    let refreshToken: string;
    let sessionId: string;
    try {
      const { json } = await exchangeCode(
        agent,
        await authorize(agent, first, { scope: 'openid offline_access', audience: API }),
      );
      refreshToken = json.refresh_token!;
      sessionId = (await first.listSessions())[0]!.id;
    } finally {
      await first.close();
    }
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ version: 1 });

    // The same agent keeps its cookies, as a browser does across an IdP restart. Cookies do
    // not depend on the port, so the restarted IdP may listen on a new one.
    const second = await startIdp({ storage: { file } });
    const restarted = new Agent(second, agent.jar);
    try {
      expect((await second.listSessions()).map((session) => session.id)).toEqual([sessionId]);
      const silent = await authorize(restarted, second, { prompt: 'none' }, undefined);
      expect(silent.code).toBeTruthy();
      const refreshed = await tokenRequest(restarted, {
        grant_type: 'refresh_token',
        client_id: 'site-a',
        refresh_token: refreshToken,
      });
      expect(refreshed.status).toBe(200);
      // The ID token is signed with the key the first run generated.
      const jwks = (await (await restarted.fetch('.well-known/jwks.json')).json()) as { keys: { kid: string }[] };
      const header = JSON.parse(Buffer.from(refreshed.json.id_token!.split('.')[0]!, 'base64url').toString()) as { kid: string };
      expect(jwks.keys.map((key) => key.kid)).toContain(header.kid);
    } finally {
      await second.close();
    }
  });

  it('starts empty in memory by default', async () => {
    const first = await startIdp();
    const agent = new Agent(first);
    try {
      await authorize(agent, first);
    } finally {
      await first.close();
    }
    const second = await startIdp();
    try {
      expect(await second.listSessions()).toEqual([]);
      const restarted = new Agent(second, agent.jar);
      expect((await authorize(restarted, second, { prompt: 'none' }, undefined)).error).toBe('login_required');
    } finally {
      await second.close();
    }
  });
});
