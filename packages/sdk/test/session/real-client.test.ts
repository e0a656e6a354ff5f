import { describe, expect, it } from 'vitest';
import { SsoClient } from '../../src/index.js';
import { createSessionManager, type SessionClient } from '../../src/session/index.js';
import { FakeBrowser } from './fakes.js';

describe('the session manager on the real SsoClient', () => {
  it('accepts an SsoClient as its SessionClient and reads its (empty) session without touching the network', async () => {
    const fetches: string[] = [];
    const client: SessionClient = new SsoClient({
      issuer: 'https://idp.example/',
      clientId: 'site-a',
      fetch: async (input) => {
        fetches.push(String(input));
        throw new Error('offline');
      },
    });
    const browser = new FakeBrowser();
    const session = createSessionManager(client, { platform: browser.tab().platform });
    await expect.poll(() => session.getSnapshot().events.length === 0 && session.getSnapshot().status).toBe('signed_out');
    await client.clearSession('logout');
    expect(session.getSnapshot().status).toBe('signed_out');
    session.destroy();
    expect(fetches).toEqual([]);
  });

  it('keeps each client’s session state under its own key by default: two apps on one origin never share it', async () => {
    const browser = new FakeBrowser();
    const offline = async () => {
      throw new Error('offline');
    };
    const clients = ['site-a', 'site-b'].map(
      (clientId) => new SsoClient({ issuer: 'https://idp.example/', clientId, fetch: offline }),
    );
    expect(new Set(clients.map((c) => c.sessionKey)).size).toBe(2);
    const sessions = clients.map((client) => createSessionManager(client, { platform: browser.tab().platform }));
    browser.tabs[0]?.input();
    await expect.poll(() => [...browser.storage.keys()]).toEqual([`${clients[0]?.sessionKey}:state`]);
    for (const session of sessions) session.destroy();
  });
});
