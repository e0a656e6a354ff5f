import { generateKeyPairSync, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveBehaviour } from '../src/behaviour.js';
import { type DevIdp, type ProfileName, type ProviderBehaviour, profiles } from '../src/index.js';
import {
  Agent,
  API,
  APP,
  authorize,
  authorizeUrl,
  decodeJwt,
  exchangeCode,
  formAction,
  pkce,
  startIdp,
  submitForm,
  tokenRequest,
} from './helpers.js';

// Each behaviour is shown against an IdP running the profile that switches it on (one IdP per
// profile, shared by the tests of its block), with exact answers: status, headers, parameters.

const FULL_SCOPE = 'openid profile email offline_access';

async function discoveryOf(idp: DevIdp): Promise<Record<string, unknown>> {
  const base = idp.issuer.replace(/\/$/, '');
  const response = await new Agent(idp).fetch(`${base}/.well-known/openid-configuration`);
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

async function signIn(idp: DevIdp, scope = FULL_SCOPE) {
  const agent = new Agent(idp);
  const result = await authorize(agent, idp, { scope, audience: API });
  const { json } = await exchangeCode(agent, result);
  return { agent, result, tokens: json };
}

function refresh(agent: Agent, refreshToken: string, extra: Record<string, string> = {}) {
  return tokenRequest(agent, { grant_type: 'refresh_token', client_id: 'site-a', refresh_token: refreshToken, ...extra });
}

/** The raw token endpoint answer, for providers whose error bodies are not JSON. */
async function rawTokenRequest(agent: Agent, body: Record<string, string>, headers: Record<string, string> = {}) {
  const response = await agent.fetch('oauth/token', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(body).toString(),
  });
  return { response, text: await response.text() };
}

/** A silent request answered by redirect: the parameters the app's callback receives. */
async function silent(agent: Agent, idp: DevIdp, extra: Record<string, string> = {}) {
  const url = authorizeUrl(idp, { prompt: 'none', extra }, pkce().challenge, 'silent');
  const response = await agent.fetch(url);
  expect(response.status).toBe(303);
  const location = new URL(response.headers.get('location')!);
  expect(`${location.origin}${location.pathname}`).toBe(`${APP}/callback`);
  return location.searchParams;
}

/** An RS256 ID token this IdP never issued: right claims, foreign key. */
function foreignIdToken(idp: DevIdp): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const now = Math.floor(Date.now() / 1000);
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode({ alg: 'RS256', typ: 'JWT', kid: 'foreign' })}.${encode({ iss: idp.issuer, sub: 'alice', aud: 'site-a', iat: now, exp: now + 300 })}`;
  return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
}

/** What discovery must say about each behaviour that shows there. */
function expectDiscoveryMatches(discovery: Record<string, unknown>, idp: DevIdp, behaviour: ProviderBehaviour) {
  expect(discovery.issuer).toBe(idp.issuer);
  expect(idp.issuer.endsWith('/')).toBe(behaviour.trailingSlashIssuer);
  expect(discovery.response_modes_supported).toEqual(
    behaviour.webMessage ? expect.arrayContaining(['web_message']) : expect.not.arrayContaining(['web_message']),
  );
  expect(discovery.authorization_response_iss_parameter_supported).toBe(behaviour.issParameter ? true : undefined);
  const base = idp.issuer.replace(/\/$/, '');
  expect(discovery.end_session_endpoint).toBe(behaviour.endSessionEndpoint ? `${base}/oidc/logout` : undefined);
  expect(discovery.revocation_endpoint).toBe(`${base}/oauth/revoke`);
  expect(discovery.authorization_endpoint).toBe(`${base}/authorize`);
  expect(discovery.token_endpoint).toBe(`${base}/oauth/token`);
}

describe('every profile', { timeout: 30_000 }, () => {
  it('switches every behaviour away from its default in at least one profile', () => {
    const defaults = resolveBehaviour('default');
    const changed = new Set(
      (Object.keys(profiles) as ProfileName[]).flatMap((name) => {
        const behaviour = resolveBehaviour(name);
        return (Object.keys(defaults) as (keyof ProviderBehaviour)[]).filter((key) => behaviour[key] !== defaults[key]);
      }),
    );
    expect([...changed].sort()).toEqual(Object.keys(defaults).sort());
  });

  it.each(Object.keys(profiles) as ProfileName[])('%s: discovery matches the declared behaviours', async (profile) => {
    const idp = await startIdp({ profile });
    try {
      expectDiscoveryMatches(await discoveryOf(idp), idp, resolveBehaviour(profile));
    } finally {
      await idp.close();
    }
  });
});

describe('default behaviour', { timeout: 20_000 }, () => {
  let idp: DevIdp;
  beforeAll(async () => {
    idp = await startIdp({
      clients: [
        { clientId: 'site-a', redirectUris: [`${APP}/callback`], idTokenSeconds: 30, accessTokenSeconds: 40 },
        { clientId: 'site-b', redirectUris: ['http://app-b.localhost:5174/callback'] },
      ],
      apis: [
        { identifier: API, scopes: ['read:messages'] },
        { identifier: 'https://slow.example', accessTokenSeconds: 90 },
      ],
    });
  });
  afterAll(async () => {
    await idp?.close();
  });

  it('answers a signed-out web_message request with a 200 page that posts login_required', async () => {
    const response = await new Agent(idp).fetch(
      authorizeUrl(idp, { prompt: 'none', responseMode: 'web_message' }, pkce().challenge, 'wm'),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain('"error":"login_required"');
    expect(html).toContain('"state":"wm"');
    expect(html).toContain(`"iss":${JSON.stringify(idp.issuer)}`);
  });

  it('keeps 400 for a web_message request whose redirect URI is not registered (nothing is posted)', async () => {
    const response = await new Agent(idp).fetch(
      authorizeUrl(
        idp,
        { prompt: 'none', responseMode: 'web_message', redirectUri: 'http://evil.localhost/cb' },
        pkce().challenge,
        'x',
      ),
    );
    expect(response.status).toBe(400);
    expect(await response.text()).not.toContain('authorization_response');
  });

  it('gives each client its own ID and access token lifetimes; an API keeps its own', async () => {
    const agent = new Agent(idp);
    const { json } = await exchangeCode(agent, await authorize(agent, idp, { audience: API }));
    const idToken = decodeJwt(json.id_token);
    expect(Number(idToken.exp) - Number(idToken.iat)).toBe(30);
    expect(json.expires_in).toBe(40);
    const accessToken = decodeJwt(json.access_token);
    expect(Number(accessToken.exp) - Number(accessToken.iat)).toBe(40);

    const slow = await exchangeCode(agent, await authorize(agent, idp, { audience: 'https://slow.example' }));
    expect(slow.json.expires_in).toBe(90);

    const agentB = new Agent(idp);
    const b = await exchangeCode(
      agentB,
      await authorize(agentB, idp, { clientId: 'site-b', redirectUri: 'http://app-b.localhost:5174/callback' }),
      'site-b',
      'http://app-b.localhost:5174/callback',
    );
    const idTokenB = decodeJwt(b.json.id_token);
    expect(Number(idTokenB.exp) - Number(idTokenB.iat)).toBe(150);
    expect(b.json.expires_in).toBe(150);
  });
});

describe("profile 'hint-required'", { timeout: 20_000 }, () => {
  let idp: DevIdp;
  beforeAll(async () => {
    idp = await startIdp({ profile: 'hint-required' });
  });
  afterAll(async () => {
    await idp?.close();
  });

  it('refuses response_mode=web_message with unsupported_response_mode by redirect (webMessage: false)', async () => {
    const response = await new Agent(idp).fetch(
      authorizeUrl(idp, { prompt: 'none', responseMode: 'web_message' }, pkce().challenge, 'wm'),
    );
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(`${APP}/callback`);
    expect(location.searchParams.get('error')).toBe('unsupported_response_mode');
    expect(location.searchParams.get('state')).toBe('wm');
  });

  it('answers a silent request without id_token_hint invalid_request, without iss (requireIdTokenHint, issParameter: false)', async () => {
    const params = await silent(new Agent(idp), idp);
    expect(Object.fromEntries(params)).toEqual({
      error: 'invalid_request',
      error_description: 'prompt=none requires an id_token_hint',
      state: 'silent',
    });
  });

  it('answers a hint it did not issue invalid_request', async () => {
    const params = await silent(new Agent(idp), idp, { id_token_hint: foreignIdToken(idp) });
    expect(params.get('error')).toBe('invalid_request');
    expect(params.has('iss')).toBe(false);
  });

  it('answers interaction_required to a valid hint without a session (noSessionError), a code with one', async () => {
    const { agent, tokens } = await signIn(idp);
    expect(await silent(new Agent(idp), idp, { id_token_hint: tokens.id_token! })).toEqual(
      new URLSearchParams({
        error: 'interaction_required',
        error_description: 'End-User authentication is required',
        state: 'silent',
      }),
    );
    const signedIn = await silent(agent, idp, { id_token_hint: tokens.id_token! });
    expect(signedIn.get('code')).toBeTruthy();
    expect([...signedIn.keys()].sort()).toEqual(['code', 'state']);
  });

  it('asks to confirm logout even for an identified client, and refresh tokens survive it (logoutConfirmation, refreshSurvivesLogout)', async () => {
    const { agent, tokens } = await signIn(idp);
    const logout = new URL('oidc/logout', idp.issuer);
    logout.searchParams.set('id_token_hint', tokens.id_token!);
    logout.searchParams.set('post_logout_redirect_uri', `${APP}/`);
    const page = await agent.follow(logout.href);
    expect(page.response.status).toBe(200);
    expect(page.body).toContain('<button type="submit">Sign out</button>');
    expect(page.body).not.toContain('document.forms[0].submit()');
    const confirmed = await submitForm(agent, page.body);
    expect(confirmed.location?.href).toBe(`${APP}/`);
    // The session has ended: the same browser is no longer signed in.
    expect((await silent(agent, idp, { id_token_hint: tokens.id_token! })).get('error')).toBe('interaction_required');

    const afterLogout = await refresh(agent, tokens.refresh_token!);
    expect(afterLogout.status).toBe(200);
    // Revocation (RFC 7009) still ends it.
    const revoked = await agent.fetch('oauth/revoke', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: 'site-a', token: afterLogout.json.refresh_token! }).toString(),
    });
    expect(revoked.status).toBe(200);
    expect((await refresh(agent, afterLogout.json.refresh_token!)).json.error).toBe('invalid_grant');
  });
});

describe("profile 'framed-login'", { timeout: 20_000 }, () => {
  let idp: DevIdp;
  beforeAll(async () => {
    idp = await startIdp({ profile: 'framed-login' });
  });
  afterAll(async () => {
    await idp?.close();
  });

  it.each(['query', 'web_message'])(
    'answers a signed-out prompt=none (%s) with its login page, which refuses framing (framedLoginPage)',
    async (responseMode) => {
      const agent = new Agent(idp);
      const login = await agent.fetch(authorizeUrl(idp, { prompt: 'none', responseMode }, pkce().challenge, 's'));
      expect(login.status).toBe(200);
      expect(login.headers.get('location')).toBeNull();
      expect(login.headers.get('x-frame-options')).toBe('DENY');
      expect(login.headers.get('content-security-policy')).toBe("frame-ancestors 'none'");
      const html = await login.text();
      expect(html).toContain('name="password"');
      expect(html).not.toContain('authorization_response');
      // Shown top-level, the page signs the user in like the ordinary login page.
      const signedIn = await agent.follow(formAction(html), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ login: 'alice@example.com', password: 'wonderland' }).toString(),
      });
      if (responseMode === 'query') {
        expect(signedIn.location?.searchParams.get('code')).toBeTruthy();
      } else {
        expect(signedIn.response.status).toBe(200);
        expect(signedIn.body).toContain('"code":');
      }
    },
  );

  it('still answers prompt=none with a code when the session is alive', async () => {
    const { agent } = await signIn(idp);
    const params = await silent(agent, idp);
    expect(params.get('code')).toBeTruthy();
  });

  it('refreshes without id_token and without rotation, from a grant without offline_access', async () => {
    const { agent, tokens } = await signIn(idp);
    expect(tokens.refresh_token).toBeTruthy();
    expect(tokens.scope?.split(' ')).not.toContain('offline_access');
    const first = await refresh(agent, tokens.refresh_token!);
    expect(first.status).toBe(200);
    expect(first.json.id_token).toBeUndefined();
    expect(first.json.access_token).toBeTruthy();
    expect(first.json.refresh_token ?? tokens.refresh_token).toBe(tokens.refresh_token);
    const again = await refresh(agent, tokens.refresh_token!);
    expect(again.status).toBe(200);
  });

  it('answers token errors 400 with an empty body (emptyTokenErrors), a refresh beyond the grant included', async () => {
    const { agent, tokens } = await signIn(idp);
    const badCode = await rawTokenRequest(agent, {
      grant_type: 'authorization_code',
      client_id: 'site-a',
      code: 'nope',
      redirect_uri: `${APP}/callback`,
      code_verifier: pkce().verifier,
    });
    expect(badCode.response.status).toBe(400);
    expect(badCode.text).toBe('');
    const beyond = await rawTokenRequest(agent, {
      grant_type: 'refresh_token',
      client_id: 'site-a',
      refresh_token: tokens.refresh_token!,
      scope: FULL_SCOPE,
    });
    expect(beyond.response.status).toBe(400);
    expect(beyond.text).toBe('');
  });

  it('answers CORS with * for any origin, preflight included (corsWildcard)', async () => {
    const agent = new Agent(idp);
    const preflight = await agent.fetch('oauth/token', {
      method: 'OPTIONS',
      headers: {
        origin: 'http://elsewhere.localhost:9',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toBe('POST');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('content-type');
    const { response } = await rawTokenRequest(
      agent,
      { grant_type: 'refresh_token', client_id: 'site-a', refresh_token: 'unknown' },
      { origin: 'http://elsewhere.localhost:9' },
    );
    expect(response.status).toBe(400);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
  });
});

describe('refreshTokensWithoutOfflineAccess alone (JSON errors)', { timeout: 20_000 }, () => {
  let idp: DevIdp;
  beforeAll(async () => {
    idp = await startIdp({ behaviour: { refreshTokensWithoutOfflineAccess: true } });
  });
  afterAll(async () => {
    await idp?.close();
  });

  it('refuses a refresh asking for offline_access with invalid_scope, accepts one asking for the grant', async () => {
    const { agent, tokens } = await signIn(idp);
    expect(tokens.refresh_token).toBeTruthy();
    expect(tokens.scope?.split(' ')).not.toContain('offline_access');
    const beyond = await refresh(agent, tokens.refresh_token!, { scope: FULL_SCOPE });
    expect(beyond.status).toBe(400);
    expect(beyond.json).toEqual({
      error: 'invalid_scope',
      error_description: 'refresh token missing requested scope',
      scope: 'offline_access',
    });
    const granted = await refresh(agent, tokens.refresh_token!, { scope: 'openid profile email' });
    expect(granted.status).toBe(200);
    // Rotation is still on: the new token is a different one.
    expect(granted.json.refresh_token).not.toBe(tokens.refresh_token);
  });
});

describe("profile 'minimal'", { timeout: 20_000 }, () => {
  let idp: DevIdp;
  beforeAll(async () => {
    idp = await startIdp({ profile: 'minimal' });
  });
  afterAll(async () => {
    await idp?.close();
  });

  it('has an issuer without trailing slash in discovery, tokens and responses (trailingSlashIssuer: false)', async () => {
    expect(idp.issuer).toBe(`http://idp.localhost:${idp.port}`);
    const { result, tokens } = await signIn(idp);
    expect(result.location.searchParams.get('iss')).toBe(idp.issuer);
    expect(decodeJwt(tokens.id_token).iss).toBe(idp.issuer);
    expect(decodeJwt(tokens.access_token).iss).toBe(idp.issuer);
  });

  it('has no logout endpoint at all (endSessionEndpoint: false)', async () => {
    const agent = new Agent(idp);
    expect((await agent.fetch(`${idp.issuer}/oidc/logout?client_id=site-a`)).status).toBe(404);
    expect((await agent.fetch(`${idp.issuer}/v2/logout?client_id=site-a`)).status).toBe(404);
  });
});
