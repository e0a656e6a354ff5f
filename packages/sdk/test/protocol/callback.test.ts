import { describe, expect, it } from 'vitest';
import { checkAuthorizationResponse } from '../../src/protocol/authorization-response.js';
import { buildAuthorizeUrl, createSecrets, normalizeScope } from '../../src/protocol/authorize.js';
import { cleanedUrl, isCallbackUrl, responseParams } from '../../src/protocol/callback.js';
import type { ProviderMetadata } from '../../src/protocol/discovery.js';
import { discoveryUrl, readDiscovery } from '../../src/protocol/discovery.js';
import { toSsoError } from '../../src/protocol/errors.js';
import { readAuthorizationMessage } from '../../src/protocol/message.js';
import { providerError, tokenEndpointError } from '../../src/protocol/provider-errors.js';
import { sameOriginPath } from '../../src/safe-url.js';

const as: ProviderMetadata = {
  issuer: 'https://op.example/',
  authorization_endpoint: 'https://op.example/authorize',
  token_endpoint: 'https://op.example/oauth/token',
  authorization_response_iss_parameter_supported: true,
};
const codeOf = (fn: () => unknown) => {
  try {
    fn();
    return 'ok';
  } catch (error) {
    return (error as { code: string }).code;
  }
};

describe('authorization request', () => {
  it('uses fresh CSPRNG secrets and an S256 challenge', async () => {
    const a = await createSecrets();
    const b = await createSecrets();
    expect(a.state).not.toBe(b.state);
    expect(a.codeVerifier).not.toBe(b.codeVerifier);
    expect(a.codeVerifier).toMatch(/^[\w-]{43,128}$/);
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(a.codeVerifier));
    expect(a.codeChallenge).toBe(Buffer.from(digest).toString('base64url'));
  });

  it('cannot be talked out of PKCE S256 or the configured redirect URI', async () => {
    const secrets = await createSecrets();
    const url = new URL(
      buildAuthorizeUrl(as, {
        clientId: 'site-a',
        redirectUri: 'https://app.example/callback',
        secrets,
        params: {
          code_challenge_method: 'plain',
          redirect_uri: 'https://evil/',
          response_type: 'token',
          prompt: 'none',
          extra: 1,
          skip: undefined,
        },
      }),
    );
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('redirect_uri')).toBe('https://app.example/callback');
    expect(url.searchParams.get('response_type')).toBe('code');
    expect(url.searchParams.get('extra')).toBe('1');
    expect(url.searchParams.has('skip')).toBe(false);
    expect(url.searchParams.get('scope')).toBe('openid');
  });

  it('always includes openid in the scope, once', () => {
    expect(normalizeScope('profile openid  email')).toBe('openid profile email');
    expect(normalizeScope(undefined, ['offline_access'])).toBe('openid offline_access');
  });
});

describe('authorization response', () => {
  const params = (p: Record<string, string>) => new URLSearchParams(p);

  it('returns the code of a valid response', () => {
    expect(checkAuthorizationResponse(as, params({ code: 'c', state: 's', iss: as.issuer }), 's')).toBe('c');
  });

  it.each([
    ['another iss (A4)', { code: 'c', state: 's', iss: 'https://evil/' }, 'issuer_mismatch'],
    ['no iss while advertised (A4)', { code: 'c', state: 's' }, 'issuer_mismatch'],
    ['another state (A1)', { code: 'c', state: 't', iss: as.issuer }, 'state_mismatch'],
    ['no state (A1)', { code: 'c', iss: as.issuer }, 'state_mismatch'],
    ['login_required (C6)', { error: 'login_required', state: 's', iss: as.issuer }, 'login_required'],
    ['consent_required (C6)', { error: 'consent_required', state: 's', iss: as.issuer }, 'consent_required'],
    ['interaction_required (C6)', { error: 'interaction_required', state: 's', iss: as.issuer }, 'interaction_required'],
    [
      'account_selection_required',
      { error: 'account_selection_required', state: 's', iss: as.issuer },
      'account_selection_required',
    ],
    ['access_denied (A3)', { error: 'access_denied', state: 's', iss: as.issuer }, 'access_denied'],
    ['an unknown error', { error: 'temporarily_unavailable', state: 's', iss: as.issuer }, 'oauth_error'],
    ['no code', { state: 's', iss: as.issuer }, 'invalid_response'],
    ['an implicit token', { code: 'c', id_token: 'x', state: 's', iss: as.issuer }, 'invalid_response'],
  ])('rejects %s', (_name, p, code) => {
    expect(codeOf(() => checkAuthorizationResponse(as, params(p), 's'))).toBe(code);
  });

  it('an error with a bad state is a state mismatch, not the error (A3)', () => {
    expect(
      codeOf(() => checkAuthorizationResponse(as, params({ error: 'access_denied', state: 'x', iss: as.issuer }), 's')),
    ).toBe('state_mismatch');
  });

  it('accepts a missing iss when the provider does not advertise it', () => {
    const legacy = { ...as, authorization_response_iss_parameter_supported: false };
    expect(checkAuthorizationResponse(legacy, params({ code: 'c', state: 's' }), 's')).toBe('c');
  });

  it('finds, detects and strips the response parameters of a URL', () => {
    expect(isCallbackUrl('https://app/cb?code=1&state=2')).toBe(true);
    expect(isCallbackUrl('https://app/cb?error=login_required&state=2')).toBe(true);
    expect(isCallbackUrl('https://app/cb?state=2')).toBe(false);
    expect(responseParams('https://app/cb#code=1&state=2').get('code')).toBe('1');
    expect(cleanedUrl('https://app/cb?a=1&code=x&state=y&iss=z&session_state=q#h')).toBe('https://app/cb?a=1#h');
    expect(cleanedUrl('https://app/cb#code=x&state=y')).toBe('https://app/cb');
    expect(cleanedUrl('https://app/page?a=1')).toBeUndefined();
  });

  it('reads postMessage data defensively (C1)', () => {
    expect(
      readAuthorizationMessage({ type: 'authorization_response', response: { code: 'c', state: 's', n: 1 } })?.toString(),
    ).toBe('code=c&state=s');
    for (const data of [
      null,
      'x',
      1,
      {},
      { type: 'other', response: {} },
      { type: 'authorization_response' },
      { type: 'authorization_response', response: 'x' },
    ]) {
      expect(readAuthorizationMessage(data)).toBeUndefined();
    }
  });
});

describe('discovery', () => {
  it('builds the well-known URL with or without the trailing slash', () => {
    expect(discoveryUrl('https://op.example/')).toBe('https://op.example/.well-known/openid-configuration');
    expect(discoveryUrl('https://op.example/tenant')).toBe('https://op.example/tenant/.well-known/openid-configuration');
  });

  it('accepts only the exact configured issuer (A4)', async () => {
    const doc = (issuer: string) => Response.json({ ...as, issuer });
    await expect(readDiscovery('https://op.example/', doc('https://op.example/'))).resolves.toMatchObject({ issuer: as.issuer });
    await expect(readDiscovery('https://op.example', doc('https://op.example/'))).rejects.toMatchObject({
      code: 'issuer_mismatch',
    });
    await expect(readDiscovery('https://op.example/', doc('https://op.example'))).rejects.toMatchObject({
      code: 'issuer_mismatch',
    });
    await expect(readDiscovery('https://op.example/', doc('https://evil.example/'))).rejects.toMatchObject({
      code: 'issuer_mismatch',
    });
  });

  it('fails closed with the status on a broken document (F2)', async () => {
    await expect(readDiscovery(as.issuer, new Response('<html>', { status: 503 }))).rejects.toMatchObject({
      code: 'discovery_failed',
      status: 503,
    });
    await expect(readDiscovery(as.issuer, new Response('<html>', { status: 200 }))).rejects.toMatchObject({
      code: 'discovery_failed',
    });
    await expect(readDiscovery(as.issuer, Response.json({ issuer: as.issuer }))).rejects.toMatchObject({
      code: 'discovery_failed',
    });
  });
});

describe('error mapping', () => {
  it('keeps the provider words as data, not in the message', () => {
    const error = providerError('invalid_grant', '<script>x</script>', 400);
    expect(error).toMatchObject({
      code: 'invalid_grant',
      error: 'invalid_grant',
      errorDescription: '<script>x</script>',
      status: 400,
    });
    expect(error.message).not.toContain('script');
  });

  it.each([
    [Response.json({ error: 'invalid_grant', error_description: 'expired' }, { status: 400 }), 'invalid_grant', 400],
    [Response.json({ error: 'invalid_client' }, { status: 401 }), 'oauth_error', 401],
    [new Response('', { status: 500 }), 'server_error', 500],
    [new Response('<html>gateway</html>', { status: 502 }), 'server_error', 502],
    [new Response('<html>nope</html>', { status: 404 }), 'invalid_response', 404],
    [Response.json({ message: 'no error field' }, { status: 400 }), 'invalid_response', 400],
  ])('maps a failed token response to a typed error with its status (F2)', async (response, code, status) => {
    await expect(tokenEndpointError(response)).resolves.toMatchObject({ code, status });
  });

  it('drops the cause of a library error, which may hold tokens', () => {
    const inner = new Error('bad', { cause: { body: { access_token: 'SECRET' } } });
    const error = toSsoError(inner);
    expect(error.code).toBe('invalid_response');
    expect(JSON.stringify((error.cause as Error).cause ?? null)).not.toContain('SECRET');
  });
});

describe('sameOriginPath (G1)', () => {
  it.each(['/orders', '/orders?id=1#top', '/a/b'])('keeps %s', (path) => {
    expect(sameOriginPath(path)).toBe(path);
  });
  it.each([
    'https://evil',
    '//evil',
    '/\\evil',
    '\\\\evil',
    'javascript:alert(1)',
    '/%0a/evil',
    ' /x',
    'orders',
    undefined,
    42,
    '/\t/evil',
  ])('refuses %j', (target) => {
    const result = sameOriginPath(target);
    expect(result === '/' || result === '/%0a/evil').toBe(true);
  });
});
