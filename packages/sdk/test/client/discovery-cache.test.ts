// The provider's metadata is kept across a tab's own page loads, so a reload asks the
// provider one question fewer; it is never trusted beyond its lifetime, another issuer, or a
// request that failed because of it.
import { describe, expect, it } from 'vitest';
import { SsoClient, type SsoClientOptions } from '../../src/index.js';
import { CLIENT_ID, ISSUER, REDIRECT_URI } from '../support/fake-op.js';
import { world } from '../support/setup.js';

const reload = (w: ReturnType<typeof world>, more: Partial<SsoClientOptions> = {}) =>
  new SsoClient({
    issuer: ISSUER,
    clientId: CLIENT_ID,
    authorizationParams: { redirect_uri: REDIRECT_URI },
    platform: w.tab.platform,
    ...more,
  });

describe('discovery kept across page loads of a tab', () => {
  it('a reload in the same tab does not discover again; another tab does', async () => {
    const w = world();
    await w.client.checkSession();
    expect(w.op.calls.discovery).toBe(1);
    await reload(w).checkSession();
    expect(w.op.calls.discovery).toBe(1);
    await w.openTab().client.checkSession();
    expect(w.op.calls.discovery).toBe(2);
  });

  it('is discovered again after an hour', async () => {
    const w = world();
    await w.client.checkSession();
    w.browser.advance(60 * 60_000);
    await reload(w).checkSession();
    expect(w.op.calls.discovery).toBe(2);
  });

  it('kept metadata that names another issuer, or is not metadata, is not used', async () => {
    for (const kept of [{ ...{ issuer: 'https://evil.example/' } }, 'nonsense']) {
      const w = world();
      await w.client.checkSession();
      const key = w.tab.session.keys().find((k) => k.startsWith('sso-spa.meta.discovery::')) as string;
      const stored = JSON.parse(w.tab.session.getItem(key) as string) as { at: number; as: Record<string, unknown> };
      w.tab.session.setItem(
        key,
        JSON.stringify({ at: stored.at, as: typeof kept === 'string' ? kept : { ...stored.as, ...kept } }),
      );
      await reload(w).checkSession();
      expect(w.op.calls.discovery).toBe(2);
    }
  });

  it('a token endpoint that is no longer there (404) forgets the metadata; being offline does not', async () => {
    const w = world({ useRefreshTokens: true });
    await w.login();
    w.browser.advance(200_000);
    w.op.nextTokenResponse = () => {
      throw new TypeError('Failed to fetch');
    };
    await expect(w.client.getTokenSilently()).rejects.toMatchObject({ code: 'network' });
    await reload(w).checkSession();
    expect(w.op.calls.discovery).toBe(1);
    w.browser.advance(200_000);
    w.op.nextTokenResponse = () => new Response('not found', { status: 404 });
    await expect(w.client.getTokenSilently()).rejects.toMatchObject({ status: 404 });
    await reload(w).checkSession();
    expect(w.op.calls.discovery).toBe(2);
  });
});

describe("cacheLocation: 'sessionstorage'", () => {
  it('a reload of the tab answers from its cache with no request; another tab has its own', async () => {
    const w = world({ cacheLocation: 'sessionstorage' });
    await w.login();
    const token = await w.client.getTokenSilently();
    const requests = w.op.calls.token + w.op.authorizeUrls.length;
    const reloaded = reload(w, { cacheLocation: 'sessionstorage' });
    expect(await reloaded.getTokenSilently({ cacheMode: 'cache-only' })).toBe(token);
    expect(w.op.calls.token + w.op.authorizeUrls.length).toBe(requests);
    expect(w.browser.local.keys().filter((k) => k.startsWith('sso-spa::'))).toEqual([]);
    const other = w.openTab({ cacheLocation: 'sessionstorage' });
    expect(await other.client.getTokenSilently({ cacheMode: 'cache-only' })).toBeUndefined();
  });
});
