import { generateKeyPairSync, type KeyObject, randomUUID, sign } from 'node:crypto';
import type { Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import { appReady, signIn } from '../browser/harness.js';
import {
  type AppWindow,
  CLEAN,
  decodeJwt,
  type Fault,
  leftovers,
  openApp,
  rewriteBody,
  type SecurityStack,
  stackPerFile,
  startSecurityStack,
  traces,
} from '../security/browser.js';
import { securitySuite } from '../security/cases.js';

// Strict ID token mode (`verifyIdTokenSignature: true`) with the built SDK in Chromium against
// the dev IdP: its faults hook re-signs the ID tokens of token responses with a key of this
// test's (an attacker's, or the provider's next key after a rotation) and, for a rotation,
// publishes that key in the JWKS. Each login ends on a fresh callback page, whose JWKS memory
// starts empty: the JWKS requests counted are that page's.
const securityCase = securitySuite(import.meta.url, 'chromium');
const STRICT = { verifyIdTokenSignature: true, useRefreshTokens: true, cacheLocation: 'localstorage' };
const JWKS = '/.well-known/jwks.json';

/** An RS256 key of this test's: the private half signs, the public JWK can be published. */
function rsaKey(kid: string): { kid: string; privateKey: KeyObject; publicJwk: Record<string, unknown> } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey, publicJwk: { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' } };
}

/** The same ID token (header and claims), signed again by `key` under `kid`. */
function resign(idToken: string, key: KeyObject, kid: string): string {
  const [header = '', claims = ''] = idToken.split('.');
  const encoded = (part: string, patch: Record<string, unknown>) =>
    Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(part, 'base64url').toString('utf8')), ...patch })).toString(
      'base64url',
    );
  const input = `${encoded(header, { kid })}.${encoded(claims, {})}`;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

/** Token responses carry an ID token signed by `key` under `kid` instead of the provider's. */
const resignedIdTokens =
  (key: KeyObject, kid: () => string): Fault =>
  (req, res) => {
    if (req.method !== 'POST' || !req.url?.startsWith('/oauth/token')) return false;
    rewriteBody(res, (body) => {
      const parsed = JSON.parse(body) as { id_token?: string };
      return parsed.id_token ? JSON.stringify({ ...parsed, id_token: resign(parsed.id_token, key, kid()) }) : body;
    });
    return false;
  };

/** The provider's JWKS also lists `jwk`. */
const publishing =
  (jwk: Record<string, unknown>): Fault =>
  (req, res) => {
    if (req.method !== 'GET' || !req.url?.startsWith(JWKS)) return false;
    rewriteBody(res, (body) => JSON.stringify({ keys: [...(JSON.parse(body) as { keys: unknown[] }).keys, jwk] }));
    return false;
  };

/** The provider's JWKS answers say they may be cached for an hour, as Google's and Auth0's say for hours or minutes. */
const cacheableJwks: Fault = (req, res) => {
  if (req.method === 'GET' && req.url?.startsWith(JWKS)) res.setHeader('cache-control', 'public, max-age=3600');
  return false;
};

/** Every fault in turn: the first that answers the request itself wins. */
const all =
  (...faults: Fault[]): Fault =>
  async (req, res, idp, next) => {
    for (const fault of faults) if (await fault(req, res, idp, next)) return true;
    return false;
  };

describe('(i) strict ID token signatures in Chromium against the dev IdP, third-party cookies blocked', () => {
  let stack: SecurityStack;
  const pages: Page[] = [];
  /** The `kid` the dev IdP signs with. */
  let providerKid = '';
  const jwksRequests = (from: number) => stack.faults.log.slice(from).filter((r) => r.path === JWKS);

  stackPerFile(
    () => startSecurityStack(false),
    pages,
    (started) => {
      stack = started;
    },
  );

  /**
   * Signs in through the login form (or the live SSO session) and settles the callback on a
   * fresh page. The app's storage starts empty: what a failed callback leaves is its own.
   */
  async function login() {
    const page = await openApp(stack, '/');
    pages.push(page);
    await page.evaluate(() => localStorage.clear());
    await page.evaluate((o) => (window as unknown as AppWindow).makeClient(o).loginWithRedirect(), STRICT);
    await signIn(page);
    await page.waitForURL(/\/callback\?/);
    await appReady(page);
    const from = stack.faults.log.length;
    const result = await page.evaluate((o) => {
      const w = window as unknown as AppWindow;
      return w.__settle(w.makeClient(o).handleRedirectCallback());
    }, STRICT);
    return { page, result, from };
  }

  const idTokenOf = (page: Page) =>
    page.evaluate(async () => {
      const client = (window as unknown as { client: { getIdTokenClaims(): Promise<{ __raw: string } | undefined> } }).client;
      return (await client.getIdTokenClaims())?.__raw;
    });

  securityCase(
    'I9',
    "an ID token signed by another key, under the provider's kid or an unknown one: invalid_signature, nothing stored, at most one JWKS refetch",
    async () => {
      // The provider's own token first: accepted, with one JWKS request.
      const good = await login();
      expect(good.result.error).toBeUndefined();
      providerKid = String(JSON.parse(Buffer.from((await idTokenOf(good.page))!.split('.')[0]!, 'base64url').toString()).kid);
      expect(jwksRequests(good.from)).toHaveLength(1);

      const attacker = rsaKey(`attacker-${randomUUID()}`);
      for (const [kid, fetches] of [
        [providerKid, 1],
        [attacker.kid, 2],
      ] as const) {
        stack.faults.fault = resignedIdTokens(attacker.privateKey, () => kid);
        const forged = await login();
        expect(forged.result.error).toMatchObject({ code: 'invalid_signature', tokenish: false });
        // The provider's kid is in the JWKS at hand: no refetch. An unknown kid: one, and no more.
        expect(jwksRequests(forged.from)).toHaveLength(fetches);
        expect(stack.faults.tokenRequests(forged.from)).toHaveLength(1);
        const state = await forged.page.evaluate(async () => ({
          authenticated: await (window as unknown as AppWindow).client.isAuthenticated(),
          tokens: (window as unknown as AppWindow).events.filter((e) => e.type === 'tokens').length,
        }));
        expect(state).toEqual({ authenticated: false, tokens: 0 });
        const left = await traces(forged.page);
        expect({ local: left.local, session: left.session, cookie: left.cookie }).toEqual({ local: [], session: [], cookie: '' });
        expect(left.href).not.toMatch(/[?&](code|state)=/);
        expect(await leftovers(forged.page)).toEqual(CLEAN);
      }
    },
  );

  securityCase(
    'I10',
    'after the provider rotates its signing key, the first ID token under the new kid costs one JWKS refetch and is accepted; the next costs none',
    async () => {
      const { page, result } = await login();
      expect(result.error).toBeUndefined();
      // The provider rotates: from now on its ID tokens are signed by a new key, which its JWKS lists.
      const next = rsaKey(`rotated-${randomUUID()}`);
      stack.faults.fault = all(
        publishing(next.publicJwk),
        resignedIdTokens(next.privateKey, () => next.kid),
      );
      for (const fetches of [1, 0]) {
        const from = stack.faults.log.length;
        const renewed = await page.evaluate(() => {
          const w = window as unknown as AppWindow;
          return w.__settle(w.client.getTokenSilently({ cacheMode: 'off' }));
        });
        expect(renewed.error).toBeUndefined();
        expect(stack.faults.tokenRequests(from).map((r) => r.status)).toEqual([200]);
        expect(jwksRequests(from)).toHaveLength(fetches);
        const idToken = (await idTokenOf(page))!;
        expect(JSON.parse(Buffer.from(idToken.split('.')[0]!, 'base64url').toString())).toMatchObject({ kid: next.kid });
        expect(decodeJwt(idToken).sub).toBe('alice');
      }
      expect(await page.evaluate(() => (window as unknown as AppWindow).client.isAuthenticated())).toBe(true);
    },
  );

  // Last in the file: the browser's HTTP cache keeps the JWKS answer for the tests after it.
  securityCase(
    'I10',
    "with a JWKS the provider lets browsers cache, the refetch for the new kid still reaches the provider, past the browser's HTTP cache",
    async () => {
      stack.faults.fault = cacheableJwks;
      const { page, result } = await login();
      expect(result.error).toBeUndefined();
      const next = rsaKey(`rotated-${randomUUID()}`);
      stack.faults.fault = all(
        cacheableJwks,
        publishing(next.publicJwk),
        resignedIdTokens(next.privateKey, () => next.kid),
      );
      const from = stack.faults.log.length;
      const renewed = await page.evaluate(() => {
        const w = window as unknown as AppWindow;
        return w.__settle(w.client.getTokenSilently({ cacheMode: 'off' }));
      });
      // Served from the HTTP cache, the refetch would bring the old keys: no request, invalid_signature.
      expect({ jwksRequests: jwksRequests(from).length, error: renewed.error?.code }).toEqual({
        jwksRequests: 1,
        error: undefined,
      });
    },
  );
});
