import { describe, expect } from 'vitest';
import type { SsoClientOptions } from '../../src/index.js';
import { securitySuite } from './cases.js';
import { type Armed, armed, expectCode, expectNothingKept, ISSUER, idToken, jwt, nextTokenBody, startLogin } from './helpers.js';

const securityCase = securitySuite(import.meta.url, 'unit');

type Claims = Record<string, unknown>;
type Bad = [name: string, claims: (now: number, nonce: string) => Claims, header?: Claims, code?: string];

/**
 * Runs a redirect login whose token response carries an ID token with `claims` and `header`,
 * expects `code`, and checks that nothing was stored and no request followed the token request.
 */
async function badLogin(bad: Bad, options: Partial<SsoClientOptions> = {}, params: Record<string, unknown> = {}): Promise<Armed> {
  const [name, claims, header, code = 'invalid_id_token'] = bad;
  const w = armed(options);
  const login = await startLogin(w, { authorizationParams: params });
  const now = Math.floor(w.browser.time / 1000);
  nextTokenBody(w, { id_token: idToken(w, { nonce: login.nonce, ...claims(now, login.nonce) }, header) });
  w.tab.url = w.op.callbackUrl(login.url);
  const requests = w.wire.requests.length;
  const error = await expectCode(w.client.handleRedirectCallback(), code, w.wire).catch((e: Error) => {
    throw new Error(`${name}: ${e.message}`);
  });
  expect(error.code, name).toBe(code);
  // The token request was the last request: no userinfo, no second token call.
  expect(w.wire.requests.length, name).toBe(requests + 1);
  await expectNothingKept(w);
  expect(
    w.events.filter((e) => e.type === 'tokens'),
    name,
  ).toEqual([]);
  return w;
}

async function goodLogin(claims: Claims, header?: Claims, options: Partial<SsoClientOptions> = {}, params = {}) {
  const w = armed(options);
  const login = await startLogin(w, { authorizationParams: params });
  nextTokenBody(w, { id_token: idToken(w, { nonce: login.nonce, ...claims }, header) });
  w.tab.url = w.op.callbackUrl(login.url);
  await w.client.handleRedirectCallback();
  expect(await w.client.isAuthenticated()).toBe(true);
  return w;
}

describe('(b) token response and ID token', () => {
  securityCase(
    'B1',
    'iss other than the issuer (another host, no trailing slash, missing, not a string) is rejected',
    async () => {
      for (const iss of ['https://evil.example/', 'https://op.example', undefined, ['https://op.example/'], 7]) {
        await badLogin([`iss ${String(iss)}`, () => ({ iss })]);
      }
    },
  );

  securityCase('B2', 'aud missing or without the client id is rejected', async () => {
    for (const aud of [undefined, 'other', [], ['other'], null, { 'site-a': true }]) {
      await badLogin([`aud ${JSON.stringify(aud)}`, () => ({ aud })]);
    }
  });

  securityCase('B3', 'an extra untrusted audience or an azp other than the client id is rejected', async () => {
    await badLogin(['two audiences', () => ({ aud: ['site-a', 'https://evil.example'] })]);
    await badLogin(['azp other', () => ({ azp: 'other' })]);
    await badLogin(['azp with extra aud', () => ({ aud: ['site-a', 'other'], azp: 'site-a' })]);
    await goodLogin({ aud: ['site-a'], azp: 'site-a' });
  });

  securityCase('B4', 'exp past the leeway, exp/iat missing or not numbers, iat far in the future are rejected', async () => {
    const cases: Bad[] = [
      ['exp past', (now) => ({ iat: now - 300, exp: now - 61 })],
      ['exp missing', () => ({ exp: undefined })],
      ['exp string', (now) => ({ exp: String(now + 100) })],
      ['exp null', () => ({ exp: null })],
      ['iat missing', () => ({ iat: undefined })],
      ['iat string', (now) => ({ iat: String(now) })],
      ['iat in the future beyond the leeway', (now) => ({ iat: now + 120, exp: now + 270 })],
      // Hours ahead: the SDK names the probable cause (the device clock).
      ['iat hours in the future', (now) => ({ iat: now + 3 * 3600, exp: now + 3 * 3600 + 150 }), undefined, 'clock_skew'],
    ];
    for (const bad of cases) await badLogin(bad);
    await goodLogin({}, undefined, {});
  });

  securityCase('B5', 'nonce missing, wrong, or of another request is rejected', async () => {
    await badLogin(['nonce missing', () => ({ nonce: undefined })]);
    await badLogin(['nonce wrong', (_now, nonce) => ({ nonce: `${nonce}x` })]);
    await badLogin(['nonce number', () => ({ nonce: 42 })]);
  });

  securityCase('B5', 'a replayed token response (nonce of an earlier login) is rejected: nonces are single-use', async () => {
    const w = armed();
    const first = await startLogin(w);
    let replay: Response | undefined;
    const real = w.op.fetch;
    w.tab.fetch = async (input, init) => {
      const response = await real(input, init);
      if (String(input).endsWith('/oauth/token')) replay = response.clone();
      return response;
    };
    w.tab.url = w.op.callbackUrl(first.url);
    await w.client.handleRedirectCallback();
    const other = w.openTab();
    await other.client.loginWithRedirect();
    const second = other.tab.navigations.at(-1) as string;
    w.op.nextTokenResponse = () => replay as Response;
    other.tab.url = w.op.callbackUrl(second);
    await expectCode(other.client.handleRedirectCallback(), 'invalid_id_token', w.wire);
    expect(await other.client.isAuthenticated()).toBe(false);
  });

  securityCase('B6', 'sub missing, empty, not a string or over 255 characters is rejected', async () => {
    for (const sub of [undefined, '', 42, { id: 'alice' }, 'x'.repeat(256)]) {
      await badLogin([`sub ${JSON.stringify(sub)?.slice(0, 20)}`, () => ({ sub })]);
    }
    await goodLogin({ sub: 'x'.repeat(255) });
  });

  securityCase(
    'B7',
    'alg none, HS256, an alg the OP does not advertise, or no alg is rejected; none only by explicit opt-in',
    async () => {
      for (const alg of ['none', 'None', 'HS256', 'HS512', 'ES256', undefined]) {
        await badLogin([`alg ${alg}`, () => ({}), { alg, kid: 'k1' }]);
      }
      await goodLogin({}, { alg: 'none' }, { idTokenSigningAlgs: ['none'] });
    },
  );

  securityCase(
    'B8',
    'signatures are not verified (TLS allowance, §3.1.3.7 step 6); a forged signature still fails every claim check',
    async () => {
      const forged = (claims: Claims) => (now: number, nonce: string) => ({ nonce, ...claims, __sig: now });
      const w = armed();
      const login = await startLogin(w);
      const token = idToken(w, { nonce: login.nonce }).replace(/\.[^.]*$/, '.AAAA');
      nextTokenBody(w, { id_token: token });
      w.tab.url = w.op.callbackUrl(login.url);
      await w.client.handleRedirectCallback();
      expect(await w.client.isAuthenticated()).toBe(true);
      for (const claims of [{ iss: 'https://evil.example/' }, { aud: 'other' }, { sub: '' }, { exp: 1 }]) {
        await badLogin(['forged signature + bad claim', forged(claims), { alg: 'RS256', kid: 'k1' }]);
      }
    },
  );

  securityCase('B9', 'no JWKS is ever fetched: a missing or unknown kid is judged on the claims alone', async () => {
    for (const header of [{ alg: 'RS256' }, { alg: 'RS256', kid: 'rotated-away' }]) {
      const w = await goodLogin({}, header);
      expect(w.wire.requests.filter((u) => /jwks|certs|keys/.test(u))).toEqual([]);
    }
    await badLogin(['unknown kid + wrong iss', () => ({ iss: 'https://evil.example/' }), { alg: 'RS256', kid: 'nope' }]);
  });

  securityCase('B10', 'with max_age sent, a missing or too old auth_time is rejected', async () => {
    await badLogin(['auth_time missing', () => ({ auth_time: undefined })], {}, { max_age: 60 });
    await badLogin(['auth_time too old', (now) => ({ auth_time: now - 3600 })], {}, { max_age: 60 });
    await badLogin(['auth_time not a number', (now) => ({ auth_time: String(now) })], {}, { max_age: 60 });
    await goodLogin({}, undefined, {}, { max_age: 60 });
  });

  securityCase(
    'B11',
    'a malformed JWT (2 or 4 parts, bad base64url, not JSON, huge) is a typed error, nothing stored',
    async () => {
      const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
      const header = b64({ alg: 'RS256' });
      const malformed = [
        `${header}.${b64({ sub: 'alice' })}`,
        `${header}.${b64({ sub: 'alice' })}.sig.extra`,
        `${header}.!!!not-base64!!!.sig`,
        `${header}.${b64('not json')}.sig`,
        `${header}.${b64([1, 2, 3])}.sig`,
        `${b64('{')}.${b64({ sub: 'alice' })}.sig`,
        `${header}.${b64({ sub: 'alice', pad: 'x'.repeat(200_000) })}.sig`,
        '',
        '...',
      ];
      for (const token of malformed) {
        const w = armed();
        const login = await startLogin(w);
        nextTokenBody(w, { id_token: token });
        w.tab.url = w.op.callbackUrl(login.url);
        await expectCode(w.client.handleRedirectCallback(), token === '' ? 'invalid_id_token' : 'invalid_id_token', w.wire);
        await expectNothingKept(w);
      }
    },
  );

  securityCase(
    'B11',
    'a token response without access_token, with a bad expires_in, without id_token, or not an object is typed, nothing stored',
    async () => {
      const bodies: [string, (w: Armed, nonce: string) => string][] = [
        [
          'no access_token',
          (w, nonce) => JSON.stringify({ token_type: 'Bearer', expires_in: 60, id_token: idToken(w, { nonce }) }),
        ],
        [
          'expires_in text',
          (w, nonce) =>
            JSON.stringify({
              access_token: 'at-body-test',
              token_type: 'Bearer',
              expires_in: 'soon',
              id_token: idToken(w, { nonce }),
            }),
        ],
        [
          'expires_in 0',
          (w, nonce) =>
            JSON.stringify({
              access_token: 'at-body-test',
              token_type: 'Bearer',
              expires_in: 0,
              id_token: idToken(w, { nonce }),
            }),
        ],
        [
          'expires_in huge',
          (w, nonce) =>
            JSON.stringify({
              access_token: 'at-body-test',
              token_type: 'Bearer',
              expires_in: 1e12,
              id_token: idToken(w, { nonce }),
            }),
        ],
        ['no id_token', () => JSON.stringify({ access_token: 'at-body-test', token_type: 'Bearer', expires_in: 60 })],
        [
          'id_token number',
          () => JSON.stringify({ access_token: 'at-body-test', token_type: 'Bearer', expires_in: 60, id_token: 7 }),
        ],
        ['array', () => '[]'],
        ['null', () => 'null'],
        ['html', () => '<html>ok</html>'],
        ['empty', () => ''],
      ];
      for (const [name, body] of bodies) {
        const w = armed();
        const login = await startLogin(w);
        w.op.nextTokenResponse = () =>
          new Response(body(w, login.nonce), { status: 200, headers: { 'content-type': 'application/json' } });
        w.tab.url = w.op.callbackUrl(login.url);
        const e = await expectCode(w.client.handleRedirectCallback(), 'invalid_response', w.wire);
        expect(e.status, name).toBe(200);
        await expectNothingKept(w);
      }
    },
  );

  securityCase(
    'B11',
    'jwt helper sanity: the unmodified fake ID token passes (so the rejections above are the claims)',
    async () => {
      await goodLogin({});
      expect(jwt({ iss: ISSUER }).split('.')).toHaveLength(3);
    },
  );
});
