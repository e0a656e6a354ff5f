import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { appReady, signIn, untilExpired } from '../browser/harness.js';
import {
  type AppWindow,
  CLEAN,
  decodeJwt,
  leftovers,
  openApp,
  rewriteBody,
  type SecurityStack,
  startSecurityStack,
  tokenLines,
} from './browser.js';
import { figure, securitySuite } from './cases.js';

const securityCase = securitySuite(import.meta.url, 'chromium');
const TABS = 4;
const CALLS = 10;
const ROUNDS = 5;
const LIFETIME = 3;
const OPTIONS = { useRefreshTokens: true, cacheLocation: 'localstorage' };

describe('(d) the rotation race in Chromium against the dev IdP (rotation with reuse detection)', () => {
  let stack: SecurityStack;
  beforeAll(async () => {
    stack = await startSecurityStack(false, { idTokenSeconds: LIFETIME, accessTokenSeconds: LIFETIME });
  });
  afterAll(async () => {
    await stack?.close();
  });

  securityCase(
    ['D3', 'D1'],
    `${TABS} tabs × ${CALLS} concurrent getTokenSilently with an expired access token, ${ROUNDS} rounds: one refresh per expiry, no invalid_grant, no sign-out`,
    async () => {
      const first = await openApp(stack, '/');
      await first.evaluate((o) => (window as unknown as AppWindow).makeClient(o).loginWithRedirect(), OPTIONS);
      await signIn(first);
      await first.waitForURL(/\/callback\?/);
      await appReady(first);
      await first.evaluate((o) => (window as unknown as AppWindow).makeClient(o).handleRedirectCallback(), OPTIONS);
      const tabs: Page[] = [first];
      for (let i = 1; i < TABS; i++) tabs.push(await openApp(stack, '/'));
      for (const tab of tabs) await tab.evaluate((o) => void (window as unknown as AppWindow).makeClient(o), OPTIONS);
      // Pass everything through, keeping the IdP's words when a token request fails.
      const refused: string[] = [];
      stack.faults.fault = (req, res) => {
        if (req.method !== 'POST' || !req.url?.startsWith('/oauth/token')) return false;
        rewriteBody(res, (body) => {
          if (res.statusCode !== 200) refused.push(`${res.statusCode} ${body}`);
          return body;
        });
        return false;
      };
      const perRound: number[] = [];
      const invalid: number[] = [];
      let previous = '';
      for (let round = 0; round < ROUNDS; round++) {
        // Every tab sees the pair expired.
        for (const tab of tabs) await untilExpired(tab);
        const from = stack.faults.log.length;
        // Every tab fires at the same wall-clock instant.
        const at = Date.now() + 300;
        const results = await Promise.all(
          tabs.map((tab) =>
            tab.evaluate(
              async ({ at, calls }) => {
                const w = window as unknown as AppWindow;
                await new Promise((r) => setTimeout(r, Math.max(0, at - Date.now())));
                // The calls spread over a few tens of milliseconds, as an app's requests do, so
                // some read the cache while another tab's rotation is being written.
                const settled = await Promise.all(
                  Array.from({ length: calls }, (_, i) =>
                    new Promise((r) => setTimeout(r, (i * 37) % 80)).then(() => w.__settle(w.client.getTokenSilently())),
                  ),
                );
                return settled.map((s) => s.ok ?? `error:${s.error?.code}`);
              },
              { at, calls: CALLS },
            ),
          ),
        );
        const tokens = results.flat();
        const refreshes = stack.faults.tokenRequests(from);
        perRound.push(refreshes.length);
        invalid.push(refreshes.filter((r) => r.status !== 200).length);
        const errors = tokens.filter((t) => t.startsWith('error:'));
        expect(
          errors,
          `round ${round}: ${[...new Set(errors)].join(', ')} in ${results.map((r) => r.filter((t) => t.startsWith('error:')).length).join('/')}; token requests ${stack.faults
            .tokenRequests(from)
            .map((r) => r.status)
            .join(',')}; refused ${refused.join(' | ')}`,
        ).toEqual([]);
        expect(new Set(tokens).size).toBe(1);
        expect(tokens[0]).not.toBe(previous);
        expect(decodeJwt(tokens[0] as string).sub).toBe('alice');
        previous = tokens[0] as string;
      }
      const events = await Promise.all(tabs.map((tab) => tab.evaluate(() => (window as unknown as AppWindow).events)));
      const signOuts = events.flat().filter((e) => e.type === 'signed_out');
      const failures = events.flat().filter((e) => e.type === 'renewal_failed');
      const refreshedHere = events.map(
        (list) => list.filter((e) => e.type === 'tokens' && e.source === 'refresh_token' && !e.fromOtherTab).length,
      );
      figure(
        `D3 rotation race, ${TABS} tabs × ${CALLS} calls × ${ROUNDS} rounds (${TABS * CALLS} calls per expiry)`,
        `refresh requests per round ${perRound.join(', ')}; invalid_grant ${invalid.reduce((a, b) => a + b, 0)}; sign-outs ${signOuts.length}; renewal failures ${failures.length}; refreshes done per tab ${refreshedHere.join('/')}`,
      );
      expect(perRound).toEqual(Array(ROUNDS).fill(1));
      expect(invalid).toEqual(Array(ROUNDS).fill(0));
      expect(signOuts).toEqual([]);
      expect(failures).toEqual([]);
      // The grant is still alive at the IdP: no reuse was detected.
      expect(await stack.idp.listSessions()).toHaveLength(1);
      // The lock named after the last rotated refresh token is held for a second after it.
      for (const tab of tabs) await expect.poll(() => leftovers(tab)).toEqual(CLEAN);
      expect(tokenLines(stack.console)).toEqual([]);
      for (const tab of tabs) await tab.close();
    },
    120_000,
  );
});
