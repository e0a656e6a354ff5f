// Issue 12, callback: a callback handled from a copy of its tab (duplicated or restored tabs
// carry a copy of sessionStorage), and authorization responses that repeat a parameter.
import { createHash } from 'node:crypto';
import { describe, expect, vi } from 'vitest';
import { handleSilentCallback } from '../../src/index.js';
import { readAuthorizationMessage } from '../../src/protocol/message.js';
import { USED_PREFIX } from '../../src/store/transaction-claim.js';
import { REDIRECT_URI } from '../support/fake-op.js';
import { securitySuite } from './cases.js';
import { armed, expectCode, expectNothingKept, ISSUER, startLogin, storedKeys } from './helpers.js';

const securityCase = securitySuite(import.meta.url, 'unit');

/** A tab opened as a copy of `from`: same site, same browser, a copy of its sessionStorage. */
function duplicate(w: ReturnType<typeof armed>, from = w.tab) {
  const copy = w.openTab();
  for (const key of from.session.keys()) copy.tab.session.setItem(key, from.session.getItem(key) as string);
  copy.tab.url = from.url;
  return copy;
}

describe('(a) a copied callback tab and repeated response parameters', () => {
  securityCase(
    'A8',
    'a copy of the callback tab handled after the first fails with state_mismatch and no token request',
    async () => {
      const w = armed({ cacheLocation: 'localstorage' });
      const login = await startLogin(w);
      w.tab.url = w.op.callbackUrl(login.url);
      const copy = duplicate(w);
      await w.client.handleRedirectCallback();
      const token = await w.client.getTokenSilently({ cacheMode: 'cache-only' });
      expect(token).toMatch(/^at-/);
      expect(w.wire.tokenRequests).toHaveLength(1);

      await expectCode(copy.client.handleRedirectCallback(), 'state_mismatch', w.wire);
      expect(w.wire.tokenRequests).toHaveLength(1);
      expect(copy.tab.url).toBe(REDIRECT_URI);
      // The copy's transaction is consumed too, and the first tab keeps its session.
      expect(storedKeys(w, copy.tab).filter((k) => k.startsWith('sso-spa.tx'))).toEqual([]);
      expect(await w.client.getTokenSilently({ cacheMode: 'cache-only' })).toBe(token);
      expect(await w.client.isAuthenticated()).toBe(true);
      // The marker names a hash of the state, never the state, and holds only a time.
      const markers = w.browser.local.keys().filter((k) => k.startsWith(USED_PREFIX));
      expect(markers).toEqual([`${USED_PREFIX}${createHash('sha256').update(login.state).digest('base64url')}`]);
      expect(w.browser.local.getItem(markers[0] as string)).toBe(String(w.browser.time));
      expect(JSON.stringify(w.browser.local.keys().map((k) => w.browser.local.getItem(k)))).not.toContain(login.state);
    },
  );

  securityCase('A8', 'markers are swept after the transaction lifetime; a failed exchange leaves none', async () => {
    const w = armed();
    await w.login();
    expect(w.browser.local.keys().filter((k) => k.startsWith(USED_PREFIX))).toHaveLength(1);
    // A failed exchange (the provider refuses the code) marks nothing.
    const login = await startLogin(w);
    w.tab.url = w.op.callbackUrl(login.url).replace(/code=[^&]+/, 'code=refused');
    await expectCode(w.client.handleRedirectCallback(), 'invalid_grant', w.wire);
    expect(w.browser.local.keys().filter((k) => k.startsWith(USED_PREFIX))).toHaveLength(1);
    // Past the lifetime of a transaction (15 min) the next callback sweeps the old marker.
    w.browser.advance(15 * 60_000 + 1);
    const next = await startLogin(w);
    w.tab.url = w.op.callbackUrl(next.url);
    await w.client.handleRedirectCallback();
    const markers = w.browser.local.keys().filter((k) => k.startsWith(USED_PREFIX));
    expect(markers).toEqual([`${USED_PREFIX}${createHash('sha256').update(next.state).digest('base64url')}`]);
  });

  securityCase(
    'A9',
    'a repeated state, code, iss or error (query or fragment) is invalid_response; URL cleaned, transactions consumed',
    async () => {
      const repeats = [
        (s: string, c: string) => `state=${s}&state=other&code=${c}&iss=${encodeURIComponent(ISSUER)}`,
        (s: string, c: string) => `state=other&state=${s}&code=${c}&iss=${encodeURIComponent(ISSUER)}`,
        (s: string, c: string) => `state=${s}&code=${c}&code=attacker&iss=${encodeURIComponent(ISSUER)}`,
        (s: string, c: string) => `state=${s}&code=${c}&iss=${encodeURIComponent(ISSUER)}&iss=https%3A%2F%2Fevil.example%2F`,
        (s: string) => `state=${s}&error=access_denied&error=login_required&iss=${encodeURIComponent(ISSUER)}`,
        (s: string, c: string) => `state=${s}&code=${c}&session_state=a&session_state=b&iss=${encodeURIComponent(ISSUER)}`,
      ];
      for (const [i, query] of repeats.entries()) {
        for (const where of ['?', '#']) {
          const w = armed();
          const login = await startLogin(w);
          const code = new URLSearchParams(w.op.callbackUrl(login.url).split('?')[1]).get('code') as string;
          w.tab.url = `${REDIRECT_URI}${where}${query(login.state, code)}`;
          const error = await expectCode(w.client.handleRedirectCallback(), 'invalid_response', w.wire);
          expect(error.message, `case ${i} in ${where}`).toMatch(/repeated/i);
          expect(w.wire.tokenRequests).toHaveLength(0);
          expect(w.tab.replaced).toEqual([REDIRECT_URI]);
          await expectNothingKept(w);
        }
      }
    },
  );

  securityCase(
    'A9',
    'a repeated parameter posted through the silent-callback page is refused, never collapsed to one value',
    async () => {
      const post = vi.fn();
      const frame = {
        parent: { postMessage: post },
        opener: null,
        location: { href: 'https://app.example/silent.html?code=c&state=s&code=d&iss=x', origin: 'https://app.example' },
      } as unknown as Window;
      expect(handleSilentCallback(frame)).toBe(true);
      const message = post.mock.calls[0]?.[0];
      expect(message).toEqual({ type: 'authorization_response', response: { code: ['c', 'd'], state: 's', iss: 'x' } });
      expect(readAuthorizationMessage(message)?.getAll('code')).toEqual(['c', 'd']);

      // In a silent renewal, a response repeating a parameter fails before any token request.
      const w = armed({ silentCallbackUri: 'https://app.example/silent.html' }, { webMessage: false });
      w.tab.frameAnswer = async (request) => {
        const real = w.op.authorize(request.url);
        const posted = readAuthorizationMessage({
          type: 'authorization_response',
          response: { ...Object.fromEntries(real), code: [real.get('code'), 'attacker'] },
        });
        return posted as URLSearchParams;
      };
      await expectCode(w.client.getTokenSilently(), 'invalid_response', w.wire);
      expect(w.wire.tokenRequests).toHaveLength(0);
      await expectNothingKept(w);
    },
  );
});
