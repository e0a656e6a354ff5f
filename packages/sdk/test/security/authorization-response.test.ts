import { createHash } from 'node:crypto';
import { describe, expect } from 'vitest';
import { SsoClient } from '../../src/index.js';
import { APP, FakeOp, REDIRECT_URI } from '../support/fake-op.js';
import { securitySuite } from './cases.js';
import { armed, CLIENT_ID, expectCode, expectNothingKept, ISSUER, startLogin, storedKeys } from './helpers.js';

const securityCase = securitySuite(import.meta.url, 'unit');
const txKeys = (keys: string[]) => keys.filter((k) => k.startsWith('sso-spa.tx::'));

describe('(a) authorization response', () => {
  securityCase(
    'A1',
    'a missing, wrong, or prototype-key state fails with state_mismatch and no token request; the real login still completes',
    async () => {
      for (const state of [undefined, 'wrong', '__proto__', 'constructor', 'toString', 'hasOwnProperty', '']) {
        const w = armed();
        const login = await startLogin(w);
        const forged = new URL(REDIRECT_URI);
        forged.searchParams.set('code', 'attacker-code');
        forged.searchParams.set('iss', ISSUER);
        if (state !== undefined) forged.searchParams.set('state', state);
        w.tab.url = forged.href;
        await expectCode(w.client.handleRedirectCallback(), 'state_mismatch', w.wire);
        expect(w.wire.tokenRequests).toHaveLength(0);
        expect(w.tab.url).toBe(REDIRECT_URI);
        expect(await w.client.isAuthenticated()).toBe(false);
        // A bad state changes nothing: the user's own transaction is still there and completes.
        w.tab.url = w.op.callbackUrl(login.url);
        await w.client.handleRedirectCallback();
        expect((await w.client.getUser())?.sub).toBe('alice');
        expect(txKeys(storedKeys(w))).toEqual([]);
      }
    },
  );

  securityCase('A1', "another tab's transaction never matches (transactions are per tab)", async () => {
    const w = armed();
    const other = w.openTab();
    const theirs = await startLogin(w, {}, other.tab, other.client);
    w.tab.url = w.op.callbackUrl(theirs.url);
    await expectCode(w.client.handleRedirectCallback(), 'state_mismatch', w.wire);
    expect(w.wire.tokenRequests).toHaveLength(0);
    await expectNothingKept(w);
    expect(txKeys(other.tab.session.keys())).toHaveLength(1);
  });

  securityCase(['A1', 'E1'], 'a transaction record planted under a prototype key is never used', async () => {
    const w = armed();
    await startLogin(w);
    const key = txKeys(w.tab.session.keys())[0] as string;
    const records = JSON.parse(w.tab.session.getItem(key) as string);
    const planted = `{"__proto__":${JSON.stringify(Object.values(records)[0])}}`;
    w.tab.session.setItem(key, planted);
    w.tab.url = `${REDIRECT_URI}?code=x&state=__proto__&iss=${encodeURIComponent(ISSUER)}`;
    await expectCode(w.client.handleRedirectCallback(), 'state_mismatch', w.wire);
    expect(w.wire.tokenRequests).toHaveLength(0);
  });

  securityCase('A2', 'the same callback URL handled twice: the second run fails cleanly with zero token calls', async () => {
    const w = armed();
    const login = await startLogin(w);
    const callback = w.op.callbackUrl(login.url);
    w.tab.url = callback;
    await w.client.handleRedirectCallback();
    const token = await w.client.getTokenSilently();
    expect(w.wire.tokenRequests).toHaveLength(1);
    w.tab.url = callback;
    await expectCode(w.client.handleRedirectCallback(), 'state_mismatch', w.wire);
    expect(w.wire.tokenRequests).toHaveLength(1);
    expect(w.tab.url).toBe(REDIRECT_URI);
    // Failing cleanly: the session from the first run is untouched.
    expect(await w.client.getTokenSilently()).toBe(token);
    // A client made after a reload replays nothing either.
    const reloaded = w.openTab();
    reloaded.tab.url = callback;
    await expectCode(reloaded.client.handleRedirectCallback(), 'state_mismatch', w.wire);
    expect(w.wire.tokenRequests).toHaveLength(1);
  });

  securityCase(
    'A3',
    "an error with a valid state is typed with the OP's error; the description stays untrusted data",
    async () => {
      for (const error of ['access_denied', 'login_required', 'temporarily_unavailable']) {
        const w = armed();
        const login = await startLogin(w);
        const description = '<img src=x onerror=alert(1)> call +1-555 now';
        const cb = new URL(REDIRECT_URI);
        cb.search = new URLSearchParams({ error, error_description: description, state: login.state, iss: ISSUER }).toString();
        w.tab.url = cb.href;
        const e = await expectCode(
          w.client.handleRedirectCallback(),
          error === 'temporarily_unavailable' ? 'oauth_error' : error,
          w.wire,
        );
        expect(e.error).toBe(error);
        expect(e.errorDescription).toBe(description);
        expect(String(e.message)).not.toContain('onerror');
        expect(w.wire.tokenRequests).toHaveLength(0);
        await expectNothingKept(w);
      }
    },
  );

  securityCase(
    'A3',
    'an error response with a bad state changes nothing: the session and the pending transaction stay',
    async () => {
      const w = armed();
      const first = await startLogin(w);
      w.tab.url = w.op.callbackUrl(first.url);
      await w.client.handleRedirectCallback();
      const token = await w.client.getTokenSilently();
      await startLogin(w);
      const pending = w.tab.session.getItem(txKeys(w.tab.session.keys())[0] as string);
      w.tab.url = `${REDIRECT_URI}?error=access_denied&state=forged&iss=${encodeURIComponent(ISSUER)}`;
      await expectCode(w.client.handleRedirectCallback(), 'state_mismatch', w.wire);
      expect(await w.client.getTokenSilently()).toBe(token);
      expect(w.tab.session.getItem(txKeys(w.tab.session.keys())[0] as string)).toBe(pending);
      expect(w.events.filter((e) => e.type === 'signed_out')).toEqual([]);
    },
  );

  securityCase(
    'A4',
    'an iss other than the issuer, or none while the OP advertises it, is rejected before the code exchange',
    async () => {
      for (const iss of ['https://evil.example/', 'https://op.example', null]) {
        const w = armed();
        const login = await startLogin(w);
        const cb = new URL(w.op.callbackUrl(login.url));
        if (iss === null) cb.searchParams.delete('iss');
        else cb.searchParams.set('iss', iss);
        w.tab.url = cb.href;
        await expectCode(w.client.handleRedirectCallback(), 'issuer_mismatch', w.wire);
        expect(w.wire.tokenRequests).toHaveLength(0);
        await expectNothingKept(w);
      }
    },
  );

  securityCase('A4', 'a discovery document naming another issuer stops everything before any navigation', async () => {
    for (const issuer of ['https://op.example', 'https://evil.example/', 'HTTPS://OP.EXAMPLE/']) {
      const w = armed();
      w.op.metadata.issuer = issuer;
      await expectCode(w.client.loginWithRedirect(), 'issuer_mismatch', w.wire);
      expect(w.tab.navigations).toEqual([]);
      expect(storedKeys(w)).toEqual([]);
    }
  });

  securityCase(
    'A5',
    "mix-up: a response for one provider's transaction never reaches the other provider's token endpoint",
    async () => {
      const w = armed();
      const ISSUER_B = 'https://op-b.example/';
      const opB = new FakeOp({ now: w.browser.now });
      Object.assign(opB.metadata, {
        issuer: ISSUER_B,
        authorization_endpoint: `${ISSUER_B}authorize`,
        token_endpoint: `${ISSUER_B}oauth/token`,
      });
      const tab = w.tab;
      const toB: string[] = [];
      const clientB = new SsoClient({
        issuer: ISSUER_B,
        clientId: CLIENT_ID,
        authorizationParams: { redirect_uri: REDIRECT_URI },
        platform: {
          ...tab.platform,
          fetch: (input, init) => {
            toB.push(String(input instanceof Request ? input.url : input));
            return opB.fetch(input, init);
          },
        },
      });
      // The user logs in at A; the response lands on the shared callback, handled by B's client.
      const loginA = await startLogin(w);
      const responseA = w.op.callbackUrl(loginA.url);
      tab.url = responseA;
      await expectCode(clientB.handleRedirectCallback(), 'state_mismatch', w.wire);
      expect(toB.filter((u) => u.includes('/oauth/token'))).toEqual([]);
      expect(opB.calls.token).toBe(0);
      // B's own transaction answered by A's code with iss rewritten to B: the exchange goes to B
      // only, with B's verifier, and A's code is refused there.
      await clientB.loginWithRedirect();
      const stateB = new URL(tab.navigations.at(-1) as string).searchParams.get('state') as string;
      const codeA = new URL(w.op.callbackUrl(loginA.url)).searchParams.get('code') as string;
      tab.url = `${REDIRECT_URI}?code=${codeA}&state=${stateB}&iss=${encodeURIComponent(ISSUER_B)}`;
      await expectCode(clientB.handleRedirectCallback(), 'invalid_grant', w.wire);
      expect(w.op.calls.token).toBe(0);
      // A's response with B's iss is refused by A before any exchange.
      const loginA2 = await startLogin(w);
      const cb = new URL(w.op.callbackUrl(loginA2.url));
      cb.searchParams.set('iss', ISSUER_B);
      tab.url = cb.href;
      await expectCode(w.client.handleRedirectCallback(), 'issuer_mismatch', w.wire);
      expect(w.op.calls.token).toBe(0);
    },
  );

  securityCase('A5', 'the token request uses the redirect URI bound to the transaction', async () => {
    const w = armed({ authorizationParams: { redirect_uri: REDIRECT_URI } });
    const login = await startLogin(w, { authorizationParams: { redirect_uri: `${APP}/other-callback` } });
    w.tab.url = w.op.callbackUrl(login.url, `${APP}/other-callback`);
    await w.client.handleRedirectCallback();
    expect(w.wire.tokenRequests[0]?.get('redirect_uri')).toBe(`${APP}/other-callback`);
  });

  securityCase(
    'A6',
    "code injection: the attacker's code with the victim's state fails on PKCE, typed, nothing stored, no retry",
    async () => {
      const w = armed();
      const victim = await startLogin(w);
      // The attacker ran their own authorization request, with their own PKCE challenge.
      const attacker = new URL(`${ISSUER}authorize`);
      attacker.search = new URLSearchParams({
        client_id: CLIENT_ID,
        redirect_uri: REDIRECT_URI,
        response_type: 'code',
        scope: 'openid profile email',
        state: 'attacker-state',
        nonce: 'attacker-nonce',
        code_challenge: createHash('sha256').update('attacker-verifier-attacker-verifier-attacker').digest('base64url'),
        code_challenge_method: 'S256',
      }).toString();
      w.op.sub = 'mallory';
      const attackerCode = new URL(w.op.callbackUrl(attacker.href)).searchParams.get('code') as string;
      w.tab.url = `${REDIRECT_URI}?code=${attackerCode}&state=${victim.state}&iss=${encodeURIComponent(ISSUER)}`;
      const e = await expectCode(w.client.handleRedirectCallback(), 'invalid_grant', w.wire);
      expect(e.status).toBe(400);
      expect(w.wire.tokenRequests).toHaveLength(1);
      await expectNothingKept(w);
    },
  );

  securityCase(['A7', 'E5'], 'PKCE: S256 only, a fresh CSPRNG verifier per request, never in a URL, gone after use', async () => {
    const w = armed();
    const seen = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const login = await startLogin(w);
      const q = new URL(login.url).searchParams;
      expect(q.get('code_challenge_method')).toBe('S256');
      w.tab.url = w.op.callbackUrl(login.url);
      await w.client.handleRedirectCallback();
      const verifier = w.wire.tokenRequests.at(-1)?.get('code_verifier') as string;
      expect(verifier).toMatch(/^[A-Za-z0-9._~-]{43,128}$/);
      expect(q.get('code_challenge')).toBe(createHash('sha256').update(verifier).digest('base64url'));
      for (const value of [verifier, q.get('state'), q.get('nonce'), q.get('code_challenge')]) {
        expect(seen.has(value as string)).toBe(false);
        seen.add(value as string);
      }
      const urls = [...w.tab.navigations, ...w.tab.replaced, w.tab.url];
      expect(urls.some((u) => u.includes(verifier))).toBe(false);
      // After the callback: no transaction (verifier, nonce, state) left in storage.
      expect(txKeys(storedKeys(w))).toEqual([]);
      const everything = [...w.browser.local.keys(), ...w.tab.session.keys()].map(
        (k) => `${k}=${w.browser.local.getItem(k) ?? w.tab.session.getItem(k)}`,
      );
      expect(everything.join('\n')).not.toContain(verifier);
      expect(JSON.stringify(w.events)).not.toContain(verifier);
    }
  });

  securityCase('G2', "redirect_uri and post_logout_redirect_uri never come from the page's query", async () => {
    const w = armed();
    const evil = 'https://evil.example/cb';
    w.tab.url = `${APP}/?redirect_uri=${encodeURIComponent(evil)}&post_logout_redirect_uri=${encodeURIComponent(evil)}&returnTo=${encodeURIComponent(evil)}`;
    const login = await startLogin(w);
    expect(new URL(login.url).searchParams.get('redirect_uri')).toBe(REDIRECT_URI);
    const cb = new URL(w.op.callbackUrl(login.url));
    cb.searchParams.set('redirect_uri', evil);
    w.tab.url = cb.href;
    await w.client.handleRedirectCallback();
    expect(w.wire.tokenRequests[0]?.get('redirect_uri')).toBe(REDIRECT_URI);
    w.tab.url = `${APP}/?post_logout_redirect_uri=${encodeURIComponent(evil)}&returnTo=${encodeURIComponent(evil)}`;
    await w.client.logout();
    const logoutUrl = new URL(w.tab.navigations.at(-1) as string);
    expect(logoutUrl.searchParams.has('post_logout_redirect_uri')).toBe(false);
    expect(logoutUrl.href).not.toContain('evil');
  });
});
