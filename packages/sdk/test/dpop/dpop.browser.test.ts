import { createHash } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect } from 'vitest';
import {
  type AppWindow,
  CLEAN,
  decodeJwt,
  leftovers,
  type SecurityStack,
  stackPerFile,
  startSecurityStack,
  tokenLines,
} from '../security/browser.js';
import { securitySuite } from '../security/cases.js';
import {
  type DpopStack,
  dpopOptions,
  fetchFromPage,
  fetchThroughClient,
  fromNode,
  keptKey,
  messages,
  proofBy,
  readProof,
  recordProofs,
  type SentProof,
  signedIn,
  startDpopStack,
  tab,
  thiefKey,
  thumbprintOf,
  tokenOf,
} from './browser.js';

// DPoP (RFC 9449) with the built SDK in Chromium, against the dev IdP and the demo API, third-party
// cookies blocked (Debian's Chromium default): the sign-in, the refresh, the API call, and what
// becomes of a token, a refresh token or a proof that leaves the page.
const securityCase = securitySuite(import.meta.url, 'chromium');

/** What the page's cache holds: the refresh token and the `token_type` of each access token entry. */
function storedEntries(page: Page): Promise<{ refreshToken: string; tokenTypes: string[] }> {
  return page.evaluate(() => {
    const entries = Object.keys(localStorage)
      .filter((key) => key.startsWith('sso-spa'))
      .map(
        (key) => JSON.parse(localStorage.getItem(key) ?? '{}') as { refresh_token?: string; tokens?: { token_type?: string } },
      );
    return {
      refreshToken: entries.find((entry) => entry.refresh_token)?.refresh_token ?? '',
      tokenTypes: entries.flatMap((entry) => (entry.tokens?.token_type ? [entry.tokens.token_type] : [])),
    };
  });
}

const tokenForm = (refreshToken: string) =>
  new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: 'site-a' }).toString();

describe('(i) DPoP in Chromium against the dev IdP and the demo API, third-party cookies blocked', () => {
  let stack: DpopStack;
  let proofs: SentProof[];
  const pages: Page[] = [];
  const tokenEndpoint = () => `${stack.idp.issuer}oauth/token`;
  /** Proofs the browser sent since `from` to URLs starting with `prefix`. */
  const sentTo = (prefix: string, from: number) => proofs.slice(from).filter((sent) => sent.url.startsWith(prefix));

  stackPerFile(
    () => startDpopStack(false),
    pages,
    (started) => {
      stack = started;
      proofs = recordProofs(stack);
    },
  );

  securityCase(
    'I1',
    "DPoP sign-in: dpop_jkt on the authorization request, a proof by that key on the code exchange, token_type DPoP stored, cnf.jkt the key's thumbprint",
    async () => {
      const from = stack.faults.log.length;
      const sentFrom = proofs.length;
      const page = await signedIn(stack, dpopOptions(stack), pages);
      const key = await keptKey(page, stack.idp.issuer);
      expect(key).toBeDefined();
      const jkt = await thumbprintOf(key!.jwk);
      const authorize = stack.faults.log.slice(from).filter((r) => r.path === '/authorize' && r.query.has('client_id'));
      expect(authorize.map((r) => r.query.get('dpop_jkt'))).toEqual([jkt]);
      const exchange = sentTo(tokenEndpoint(), sentFrom);
      expect(exchange).toHaveLength(1);
      const { header, claims } = readProof(exchange[0]!.proof);
      expect(header).toMatchObject({ typ: 'dpop+jwt', alg: 'ES256' });
      expect(header.jwk).not.toHaveProperty('d');
      expect(await thumbprintOf(header.jwk)).toBe(jkt);
      expect(claims).toMatchObject({ htm: 'POST', htu: tokenEndpoint(), jti: expect.any(String), iat: expect.any(Number) });
      expect(claims).not.toHaveProperty('ath');
      const token = await tokenOf(page);
      expect(token.token_type).toBe('DPoP');
      expect(decodeJwt(token.access_token).cnf).toEqual({ jkt });
      expect((await storedEntries(page)).tokenTypes).toEqual(['DPoP']);
      expect(await leftovers(page)).toEqual(CLEAN);
    },
  );

  securityCase(
    'I3',
    'DPoP refresh: a copy of the refresh token is refused without the key (no proof, or a proof by another key); the page renews with it, same cnf.jkt',
    async () => {
      const page = await signedIn(stack, dpopOptions(stack), pages);
      const before = await tokenOf(page);
      const { jkt } = decodeJwt(before.access_token).cnf as { jkt: string };
      const { refreshToken } = await storedEntries(page);
      expect(refreshToken).not.toBe('');
      const form = { 'content-type': 'application/x-www-form-urlencoded' };
      const bare = await fromNode(tokenEndpoint(), { method: 'POST', headers: form, body: tokenForm(refreshToken) });
      expect(bare).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
      const thief = await thiefKey();
      const otherKey = await fromNode(tokenEndpoint(), {
        method: 'POST',
        headers: { ...form, dpop: await proofBy(thief, { htm: 'POST', htu: tokenEndpoint() }) },
        body: tokenForm(refreshToken),
      });
      expect(otherKey).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
      const sentFrom = proofs.length;
      const renewed = await tokenOf(page, 'off');
      expect(renewed.token_type).toBe('DPoP');
      expect(renewed.access_token).not.toBe(before.access_token);
      expect(decodeJwt(renewed.access_token).cnf).toEqual({ jkt });
      const refresh = sentTo(tokenEndpoint(), sentFrom);
      expect(refresh).toHaveLength(1);
      expect(await thumbprintOf(readProof(refresh[0]!.proof).header.jwk)).toBe(jkt);
      expect((await storedEntries(page)).refreshToken).not.toBe(refreshToken);
    },
  );

  securityCase(
    'I4',
    'API call through createFetcher: 200 with a fresh proof (htm, htu, ath); the same token without a proof is 401; a nonce challenge costs one retry, once',
    async () => {
      const page = await signedIn(stack, dpopOptions(stack), pages);
      const { access_token } = await tokenOf(page);
      const { jkt } = decodeJwt(access_token).cnf as { jkt: string };
      const url = messages(stack.api);
      const sentFrom = proofs.length;
      for (let call = 0; call < 2; call++) {
        expect(await fetchThroughClient(page, url)).toMatchObject({
          status: 200,
          body: { sub: 'alice', tokenType: 'DPoP', jkt },
        });
      }
      const sent = sentTo(url, sentFrom);
      expect(sent.map((s) => s.authorization)).toEqual([`DPoP ${access_token}`, `DPoP ${access_token}`]);
      const [first, second] = sent.map((s) => readProof(s.proof).claims);
      expect(first).toMatchObject({ htm: 'GET', htu: url, ath: createHash('sha256').update(access_token).digest('base64url') });
      expect(second?.jti).not.toBe(first?.jti);
      const bare = await fetchFromPage(page, url, { authorization: `DPoP ${access_token}` });
      expect(bare).toMatchObject({ status: 401, body: { error: 'invalid_dpop_proof' } });
      expect(bare.challenge).toMatch(/^DPoP error="invalid_dpop_proof"/);

      // An API that hands out nonces: the first call is challenged once, the second uses the nonce it kept.
      const nonceUrl = messages(stack.nonceApi);
      const nonceFrom = proofs.length;
      expect(await fetchThroughClient(page, nonceUrl)).toMatchObject({ status: 200, body: { tokenType: 'DPoP' } });
      const challenged = sentTo(nonceUrl, nonceFrom).map((s) => readProof(s.proof).claims.nonce);
      expect(challenged).toEqual([undefined, expect.any(String)]);
      expect(await fetchThroughClient(page, nonceUrl)).toMatchObject({ status: 200 });
      expect(sentTo(nonceUrl, nonceFrom).map((s) => readProof(s.proof).claims.nonce)).toEqual([...challenged, challenged[1]]);
    },
  );

  securityCase('I5', 'a proof captured off the wire and sent again, from Node or from the page, is refused', async () => {
    const page = await signedIn(stack, dpopOptions(stack), pages);
    const url = messages(stack.api);
    const sentFrom = proofs.length;
    expect(await fetchThroughClient(page, url)).toMatchObject({ status: 200 });
    const [captured] = sentTo(url, sentFrom);
    const headers = { authorization: captured!.authorization ?? '', dpop: captured!.proof };
    const replayed = await fromNode(url, { headers });
    expect(replayed).toMatchObject({
      status: 401,
      body: { error: 'invalid_dpop_proof', error_description: expect.stringMatching(/used before/) },
    });
    expect(await fetchFromPage(page, url, headers)).toMatchObject({ status: 401, body: { error: 'invalid_dpop_proof' } });
    // The page itself goes on with fresh proofs.
    expect(await fetchThroughClient(page, url)).toMatchObject({ status: 200 });
  });

  securityCase(
    'I6',
    'the access token copied out of the page is refused from Node: as Bearer, as DPoP without a proof, with a proof by another key',
    async () => {
      const page = await signedIn(stack, dpopOptions(stack), pages);
      const { access_token } = await tokenOf(page);
      const url = messages(stack.api);
      const asBearer = await fromNode(url, { headers: { authorization: `Bearer ${access_token}` } });
      expect(asBearer).toMatchObject({ status: 401, body: { error: 'invalid_token' } });
      expect(asBearer.challenge).toMatch(/^DPoP error="invalid_token"/);
      const withoutProof = await fromNode(url, { headers: { authorization: `DPoP ${access_token}` } });
      expect(withoutProof).toMatchObject({ status: 401, body: { error: 'invalid_dpop_proof' } });
      const thief = await thiefKey();
      const otherKey = await fromNode(url, {
        headers: {
          authorization: `DPoP ${access_token}`,
          dpop: await proofBy(thief, { htm: 'GET', htu: url, accessToken: access_token }),
        },
      });
      expect(otherKey).toMatchObject({
        status: 401,
        body: { error: 'invalid_token', error_description: expect.stringMatching(/bound to another key/) },
      });
      expect(await fetchThroughClient(page, url)).toMatchObject({ status: 200 });
    },
  );

  securityCase(
    'I7',
    'the key is non-extractable; a second tab signs with the same key and its refresh is proven by it (same jkt)',
    async () => {
      const options = dpopOptions(stack);
      const first = await signedIn(stack, options, pages);
      const key = await keptKey(first, stack.idp.issuer);
      expect(key).toMatchObject({ extractable: false, usages: ['sign'], exported: 'InvalidAccessError' });
      expect(key!.jwk).not.toHaveProperty('d');
      const jkt = await thumbprintOf(key!.jwk);
      const second = await tab(stack, options, pages);
      expect((await keptKey(second, stack.idp.issuer))?.jwk).toEqual(key!.jwk);
      // The second tab refreshes with the refresh token the tabs share: only a proof by the same key redeems it.
      const sentFrom = proofs.length;
      const renewed = await tokenOf(second, 'off');
      expect(decodeJwt(renewed.access_token).cnf).toEqual({ jkt });
      const [refresh] = sentTo(tokenEndpoint(), sentFrom);
      expect(await thumbprintOf(readProof(refresh!.proof).header.jwk)).toBe(jkt);
      // And the first tab reads the renewed tokens, bound to the same key.
      expect(decodeJwt((await tokenOf(first)).access_token).cnf).toEqual({ jkt });
    },
  );

  securityCase(
    ['I8', 'I7'],
    'logout deletes the key; two tabs then starting a sign-in at once agree on one new key; the next tokens are bound to it',
    async () => {
      const options = dpopOptions(stack);
      const page = await signedIn(stack, options, pages);
      const old = await thumbprintOf((await keptKey(page, stack.idp.issuer))!.jwk);
      await page.evaluate(() => (window as unknown as AppWindow).client.logout({ openUrl: false }));
      expect(await keptKey(page, stack.idp.issuer)).toBeUndefined();
      // Two fresh tabs build their authorization requests at the same moment: each asks for the key.
      const tabs = [await tab(stack, options, pages), await tab(stack, options, pages)];
      const urls = await Promise.all(
        tabs.map((t) =>
          t.evaluate(async () => {
            let url = '';
            await (window as unknown as { client: { loginWithRedirect(o: unknown): Promise<void> } }).client.loginWithRedirect({
              openUrl: (u: string) => {
                url = u;
              },
            });
            return new URL(url).searchParams.get('dpop_jkt');
          }),
        ),
      );
      const fresh = await thumbprintOf((await keptKey(page, stack.idp.issuer))!.jwk);
      expect(fresh).not.toBe(old);
      expect(urls).toEqual([fresh, fresh]);
      // Signing in again (the provider's session is alive: no form) binds the tokens to the new key.
      const again = await signedIn(stack, options, pages);
      expect(decodeJwt((await tokenOf(again)).access_token).cnf).toEqual({ jkt: fresh });
    },
  );
});

describe('(i) DPoP against a provider that demands its nonce, third-party cookies blocked', () => {
  let stack: SecurityStack;
  const pages: Page[] = [];
  beforeAll(async () => {
    stack = await startSecurityStack(false, { behaviour: { dpopNonce: true } });
  });
  afterEach(async () => {
    expect(tokenLines(stack.console)).toEqual([]);
    for (const page of pages.splice(0)) await page.close();
  });
  afterAll(async () => {
    await stack?.close();
  });

  securityCase(
    'I2',
    'the code exchange is challenged once and retried once with the nonce (the code not spent); the refresh uses the kept nonce',
    async () => {
      const proofs = recordProofs(stack);
      const from = stack.faults.log.length;
      const page = await signedIn(stack, dpopOptions(stack), pages);
      expect(stack.faults.tokenRequests(from).map((r) => r.status)).toEqual([400, 200]);
      const nonces = proofs.map((sent) => readProof(sent.proof).claims.nonce);
      expect(nonces).toEqual([undefined, expect.any(String)]);
      expect((await tokenOf(page)).token_type).toBe('DPoP');
      const refreshFrom = stack.faults.log.length;
      const renewed = await tokenOf(page, 'off');
      expect(renewed.token_type).toBe('DPoP');
      // The nonce kept from the code exchange is still good: no challenge; the provider's nonce window is minutes long.
      expect(stack.faults.tokenRequests(refreshFrom).map((r) => r.status)).toEqual([200]);
      expect(readProof(proofs.at(-1)!.proof).claims.nonce).toEqual(expect.any(String));
    },
  );
});
