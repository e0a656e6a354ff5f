import { describe, expect, vi } from 'vitest';
import { sameOriginPath } from '../../src/index.js';
import { APP } from '../support/fake-op.js';
import { settle } from '../support/setup.js';
import { securitySuite } from './cases.js';
import { armed, CLIENT_ID, expectCode, ISSUER, sdkKeys } from './helpers.js';

const securityCase = securitySuite(import.meta.url, 'unit');

export const EVIL_TARGETS = [
  'https://evil.example/',
  'http://evil.example',
  '//evil.example',
  '/\\evil.example',
  '\\\\evil.example',
  '/\\/evil.example',
  '\\/evil.example',
  'javascript:alert(1)',
  'JaVaScRiPt:alert(1)',
  ' javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  '/%2F%2Fevil.example',
  '%2F%2Fevil.example',
  '/%5Cevil.example',
  '/\t/evil.example',
  '/\n/evil.example',
  '/\r\n/evil.example',
  '/\u0000/evil.example',
  'https:evil.example',
  'https:/evil.example',
  '///evil.example',
  '/./\\evil.example',
  '/../../evil.example',
  'evil.example',
  '',
];

describe('(g) redirects and logout', () => {
  securityCase('G1', 'sameOriginPath accepts same-origin relative paths only, for every hostile variant', async () => {
    for (const target of EVIL_TARGETS) {
      const result = sameOriginPath(target, '/home');
      const resolved = new URL(result, APP);
      expect(resolved.origin, JSON.stringify(target)).toBe(APP);
      expect(result.startsWith('/') && !result.startsWith('//') && !result.startsWith('/\\'), JSON.stringify(target)).toBe(true);
    }
    for (const target of [{ toString: () => '/ok' }, 42, null, undefined, ['/x']])
      expect(sameOriginPath(target, '/home')).toBe('/home');
    expect(sameOriginPath('/orders?id=7#top')).toBe('/orders?id=7#top');
    expect(sameOriginPath('/a/../b')).toBe('/b');
  });

  securityCase(
    'G1',
    'appState.targetUrl set to a hostile URL comes back as data; sameOriginPath turns it into the fallback',
    async () => {
      for (const targetUrl of EVIL_TARGETS.slice(0, 8)) {
        const w = armed();
        await w.client.loginWithRedirect({ appState: { targetUrl } });
        w.tab.url = w.op.callbackUrl(w.tab.navigations.at(-1) as string);
        const { appState } = await w.client.handleRedirectCallback();
        expect(appState).toEqual({ targetUrl });
        expect(sameOriginPath((appState as { targetUrl: unknown }).targetUrl)).toBe('/');
        // The SDK itself navigated nowhere after the callback.
        expect(w.tab.navigations).toHaveLength(1);
      }
    },
  );

  securityCase('G1', 'logout never navigates to a foreign returnTo when the provider has no end_session_endpoint', async () => {
    for (const returnTo of EVIL_TARGETS) {
      const w = armed();
      delete w.op.metadata.end_session_endpoint;
      await w.login();
      await w.client.logout({ logoutParams: { returnTo } }).catch(() => {});
      expect(await w.client.isAuthenticated()).toBe(false);
      for (const url of w.tab.navigations.slice(1)) expect(new URL(url, APP).origin, JSON.stringify(returnTo)).toBe(APP);
    }
    // A same-origin returnTo is still honoured.
    const w = armed();
    delete w.op.metadata.end_session_endpoint;
    await w.login();
    await w.client.logout({ logoutParams: { returnTo: `${APP}/bye` } });
    expect(w.tab.navigations.at(-1)).toBe(`${APP}/bye`);
  });

  securityCase('G3', "logout clears every tab's tokens before navigating; id_token_hint is this issuer's ID token", async () => {
    for (const cacheLocation of ['memory', 'localstorage'] as const) {
      const w = armed({ cacheLocation });
      await w.login();
      const tabs = [w.openTab({ cacheLocation }), w.openTab({ cacheLocation })];
      for (const t of tabs) await t.client.getTokenSilently();
      await settle();
      let atNavigation: boolean[] = [];
      let postedBefore: unknown[] = [];
      await w.client.logout({
        logoutParams: { returnTo: `${APP}/` },
        openUrl: async (url) => {
          postedBefore = [...w.tab.posted];
          atNavigation = await Promise.all([w.client, ...tabs.map((t) => t.client)].map((c) => c.isAuthenticated()));
          w.tab.navigations.push(url);
        },
      });
      // A shared cache is empty for every tab before the navigation; per-tab memory caches get
      // the sign-out broadcast, posted before navigating, and clear themselves on receipt.
      expect(postedBefore).toContainEqual({ t: 'signed_out', reason: 'logout', sub: 'alice' });
      expect(atNavigation[0]).toBe(false);
      if (cacheLocation === 'localstorage') expect(atNavigation).toEqual([false, false, false]);
      await settle();
      for (const t of tabs) expect(await t.client.isAuthenticated()).toBe(false);
      for (const t of tabs) expect(t.events).toContainEqual({ type: 'signed_out', reason: 'logout', fromOtherTab: true });
      const url = new URL(w.tab.navigations.at(-1) as string);
      expect(url.origin + url.pathname).toBe(`${new URL(ISSUER).origin}/oidc/logout`);
      const hint = url.searchParams.get('id_token_hint') as string;
      expect(JSON.parse(Buffer.from(hint.split('.')[1] as string, 'base64url').toString()).iss).toBe(ISSUER);
      expect(url.searchParams.get('client_id')).toBe(CLIENT_ID);
    }
  });

  securityCase('G3', "logout without an ID token sends client_id only; another issuer's ID token is never the hint", async () => {
    const w = armed({ cacheLocation: 'localstorage' });
    await w.client.logout();
    let url = new URL(w.tab.navigations.at(-1) as string);
    expect(url.searchParams.has('id_token_hint')).toBe(false);
    expect(url.searchParams.get('client_id')).toBe(CLIENT_ID);
    // A user entry planted under this client's key but from another issuer is not used.
    await w.login();
    const userKey = w.browser.local.keys().find((k) => k.endsWith('@@user@@')) as string;
    const entry = JSON.parse(w.browser.local.getItem(userKey) as string);
    entry.issuer = 'https://evil.example/';
    entry.claims.iss = 'https://evil.example/';
    w.browser.local.setItem(userKey, JSON.stringify(entry));
    const fresh = w.openTab({ cacheLocation: 'localstorage' });
    await fresh.client.logout();
    url = new URL(fresh.tab.navigations.at(-1) as string);
    expect(url.searchParams.has('id_token_hint')).toBe(false);
    expect(sdkKeys(w.browser.local.keys())).toEqual([]);
  });

  securityCase(
    'G4',
    'back from logout with a missing or foreign state: the local logout stays complete and nothing loops',
    async () => {
      for (const query of ['', '?state=foreign', '?state=__proto__&error=x', '?code=stolen&state=foreign']) {
        const w = armed({ cacheLocation: 'localstorage', checkSessionRedirect: true });
        await w.login();
        await w.client.logout({ logoutParams: { returnTo: `${APP}/` } });
        w.op.session = false;
        const navigations = w.tab.navigations.length;
        const back = w.openTab({ cacheLocation: 'localstorage', checkSessionRedirect: true });
        back.tab.url = `${APP}/${query}`;
        await back.client.checkSession();
        if (query.includes('state=')) await expectCode(back.client.handleRedirectCallback(), 'state_mismatch', w.wire);
        await back.client.checkSession();
        expect(await back.client.isAuthenticated()).toBe(false);
        expect(w.browser.local.keys().filter((k) => k.startsWith('sso-spa::'))).toEqual([]);
        expect(w.tab.navigations).toHaveLength(navigations);
        expect(back.tab.navigations.length).toBeLessThanOrEqual(1);
        expect(w.wire.tokenRequests).toHaveLength(1);
      }
    },
  );

  securityCase('G3', 'a renewal in flight in another tab does not bring the tokens back after logout', async () => {
    const options = { cacheLocation: 'localstorage' as const, useRefreshTokens: true };
    const w = armed(options);
    await w.login();
    const other = w.openTab(options);
    w.browser.advance(200_000);
    // The other tab's refresh is on the wire when this tab logs out.
    let release: () => void = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    const inner = other.tab.fetch;
    other.tab.fetch = async (input, init) => {
      // Only the refresh is held: the other tab's discovery must go through for it to be sent.
      if (String(init?.body).includes('grant_type=refresh_token')) await held;
      return inner(input, init);
    };
    const renewal = other.client.getTokenSilently().catch((e: { code: string }) => e.code);
    await w.browser.untilInFlight(1, /grant_type=refresh_token/);
    const logout = w.client.logout({ openUrl: false });
    // The sign-out has been announced while the refresh is still held on the wire.
    await vi.waitFor(() => expect(w.tab.posted).toContainEqual(expect.objectContaining({ t: 'signed_out' })));
    release();
    await Promise.all([renewal, logout]);
    await new Promise((r) => setTimeout(r, 0));
    expect(await w.client.isAuthenticated()).toBe(false);
    expect(await other.client.isAuthenticated()).toBe(false);
    expect(sdkKeys(w.browser.local.keys())).toEqual([]);
  });
});
