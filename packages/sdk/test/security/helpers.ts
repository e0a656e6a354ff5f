// Unit-tier helpers of the security suite: the existing fake provider and platform seam
// (test/support), plus the invariant checks every failing case ends with.
import { expect } from 'vitest';
import type { SsoClient, SsoClientOptions } from '../../src/index.js';
import type { FakeTab } from '../support/fake-browser.js';
import { CLIENT_ID, type FakeOpOptions, ISSUER, jwt } from '../support/fake-op.js';
import { type World, world } from '../support/setup.js';

export { CLIENT_ID, ISSUER, jwt };

/** What went over the wire in a world: every token request and the secrets it carried or received. */
export interface Wire {
  tokenRequests: URLSearchParams[];
  /** The address bar at the moment of each token request (must already be clean). */
  urlAtTokenRequest: string[];
  /** Every code, verifier and token that crossed the network edge. */
  secrets: Set<string>;
  requests: string[];
}

export interface Armed extends World {
  wire: Wire;
}

/** A world whose network edge records secrets and the address bar at each token request. */
export function armed(options: Partial<SsoClientOptions> = {}, opOptions: Partial<FakeOpOptions> = {}): Armed {
  const w = world(options, opOptions);
  const wire: Wire = { tokenRequests: [], urlAtTokenRequest: [], secrets: new Set(), requests: [] };
  const wrap = (tab: FakeTab) => {
    tab.fetch = async (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      wire.requests.push(url);
      if (url.endsWith('/oauth/token')) {
        const body = new URLSearchParams(String(init?.body));
        wire.tokenRequests.push(body);
        wire.urlAtTokenRequest.push(tab.url);
        for (const name of ['code', 'code_verifier', 'refresh_token']) {
          const value = body.get(name);
          if (value) wire.secrets.add(value);
        }
      }
      const response = await w.op.fetch(input, init);
      if (url.endsWith('/oauth/token')) {
        const parsed: unknown = await response
          .clone()
          .json()
          .catch(() => undefined);
        const json = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
        for (const name of ['access_token', 'refresh_token', 'id_token']) {
          if (typeof json[name] === 'string' && (json[name] as string).length >= 8) wire.secrets.add(json[name] as string);
        }
      }
      return response;
    };
  };
  wrap(w.tab);
  const openTab = w.openTab;
  return {
    ...w,
    wire,
    openTab(more) {
      const t = openTab(more);
      wrap(t.tab);
      return t;
    },
  };
}

/** Starts a redirect login and returns its authorization request. */
export async function startLogin(
  w: World,
  options: Parameters<SsoClient['loginWithRedirect']>[0] = {},
  tab = w.tab,
  client = w.client,
) {
  await client.loginWithRedirect(options);
  const url = new URL(tab.navigations.at(-1) as string);
  return {
    url: url.href,
    state: url.searchParams.get('state') as string,
    nonce: url.searchParams.get('nonce') as string,
  };
}

/** An ID token like the fake provider's, with `claims` merged (an `undefined` value removes a claim). */
export function idToken(w: World, claims: Record<string, unknown> = {}, header?: Record<string, unknown>): string {
  const now = Math.floor(w.browser.time / 1000);
  return jwt({ iss: ISSUER, aud: CLIENT_ID, sub: 'alice', iat: now, exp: now + 150, auth_time: now, ...claims }, header);
}

/** Makes the next token response `body` (with a fresh access token and Bearer type unless given). */
export function nextTokenBody(w: World, body: Record<string, unknown>): void {
  w.op.nextTokenResponse = () =>
    Response.json({ access_token: `at-${Math.random()}`, token_type: 'Bearer', expires_in: 150, ...body });
}

/**
 * Keys the SDK left in this browser's storages (token cache and transactions). The markers of
 * used logins are not counted: they hold a hash of a spent state and a time, nothing usable,
 * and outlive the session on purpose (a copied tab must not replay the login).
 */
export function storedKeys(w: World, tab: FakeTab = w.tab): string[] {
  return sdkKeys([...w.browser.local.keys(), ...tab.session.keys()]);
}

/**
 * The SDK's keys among `keys`, without its `sso-spa.meta.*` keys, which hold no secret (the
 * provider's public metadata, whether the site signed someone in before, used-login markers).
 */
export const sdkKeys = (keys: string[]) => keys.filter((k) => k.startsWith('sso-spa') && !k.startsWith('sso-spa.meta.'));

const TOKENISH = /\bat-[\w.-]+|\brt-[\w.-]+|eyJ[\w-]{8,}/;

/** No token, code or verifier anywhere in what the error carries (message, cause, fields). */
export function expectNoSecretIn(error: unknown, wire?: Wire): void {
  const e = error as { message?: string; cause?: unknown; stack?: string };
  const texts = [String(e?.message), String(e?.stack), JSON.stringify(error), String((e?.cause as Error | undefined)?.message)];
  for (const text of texts) {
    expect(text).not.toMatch(TOKENISH);
    for (const secret of wire?.secrets ?? []) expect(text.includes(secret)).toBe(false);
  }
}

/** Awaits `promise`, expecting an `SsoError` with `code`; checks it carries no secret. */
export async function expectCode(promise: Promise<unknown>, code: string, wire?: Wire): Promise<Record<string, unknown>> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected ${code}`).toBeDefined();
  expect((error as { name?: string }).name).toBe('SsoError');
  expect((error as { code?: string }).code).toBe(code);
  expectNoSecretIn(error, wire);
  return error as Record<string, unknown>;
}

/**
 * The invariants after a failing callback: nothing cached, no transaction left, the address
 * bar clean (and clean before any token request), no timer pending.
 */
export async function expectNothingKept(w: Armed, client = w.client, tab = w.tab): Promise<void> {
  expect(await client.isAuthenticated()).toBe(false);
  expect(await client.getTokenSilently({ cacheMode: 'cache-only' })).toBeUndefined();
  expect(storedKeys(w, tab)).toEqual([]);
  expect(tab.url).not.toMatch(/[?&#](code|state|iss)=/);
  for (const url of w.wire.urlAtTokenRequest) expect(url).not.toMatch(/[?&#](code|state|iss)=/);
  expect(w.browser.pendingTimers).toBe(0);
}
