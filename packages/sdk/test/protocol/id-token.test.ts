import { describe, expect, it } from 'vitest';
import { decodeJwtPart, userFromClaims } from '../../src/protocol/claims.js';
import { defaultAlgs, type IdTokenExpectations, validateIdToken } from '../../src/protocol/id-token.js';
import { jwt } from '../support/fake-op.js';

const NOW = 1_800_000_000;
const expect0: IdTokenExpectations = {
  issuer: 'https://op.example/',
  clientId: 'site-a',
  nonce: 'n-1',
  algs: ['RS256'],
  now: NOW,
  leeway: 60,
};
const good = { iss: 'https://op.example/', aud: 'site-a', sub: 'alice', iat: NOW, exp: NOW + 150, nonce: 'n-1' };
const codeOf = (fn: () => unknown) => {
  try {
    fn();
    return 'ok';
  } catch (error) {
    return (error as { code: string }).code;
  }
};
const check = (claims: Record<string, unknown>, more: Partial<IdTokenExpectations> = {}, header?: Record<string, unknown>) =>
  codeOf(() => validateIdToken(jwt(claims, header), { ...expect0, ...more }));

describe('validateIdToken (OIDC Core §3.1.3.7)', () => {
  it('accepts a valid token and keeps the raw token as __raw', () => {
    const token = jwt(good);
    expect(validateIdToken(token, expect0)).toEqual({ ...good, __raw: token });
    expect(check({ ...good, aud: ['site-a'], azp: 'site-a' })).toBe('ok');
  });

  it.each([
    ['iss another issuer (B1)', { iss: 'https://evil.example/' }],
    ['iss without the trailing slash (B1)', { iss: 'https://op.example' }],
    ['aud missing (B2)', { aud: undefined }],
    ['aud without the client (B2)', { aud: 'other' }],
    ['an extra untrusted audience (B3)', { aud: ['site-a', 'other'], azp: 'site-a' }],
    ['azp another client (B3)', { azp: 'other' }],
    ['exp missing (B4)', { exp: undefined }],
    ['exp a string (B4)', { exp: String(NOW + 100) }],
    ['iat missing (B4)', { iat: undefined }],
    ['nonce missing (B5)', { nonce: undefined }],
    ['nonce wrong (B5)', { nonce: 'n-2' }],
    ['sub missing (B6)', { sub: undefined }],
    ['sub empty (B6)', { sub: '' }],
    ['sub a number (B6)', { sub: 42 }],
    ['sub over 255 characters (B6)', { sub: 'x'.repeat(256) }],
  ])('rejects %s', (_name, change) => {
    expect(check({ ...good, ...change })).toBe('invalid_id_token');
  });

  it('rejects an expired token beyond the leeway, accepts within it (B4, H1)', () => {
    expect(check({ ...good, iat: NOW - 200, exp: NOW - 30 })).toBe('ok');
    expect(check({ ...good, iat: NOW - 100, exp: NOW - 61 })).toBe('invalid_id_token');
    expect(check({ ...good, iat: NOW + 59, exp: NOW + 200 })).toBe('ok');
  });

  it('reports a device clock off by hours as clock_skew (H1)', () => {
    expect(check({ ...good, iat: NOW + 3 * 3600, exp: NOW + 3 * 3600 + 150 })).toBe('clock_skew');
    expect(check({ ...good, iat: NOW - 3 * 3600, exp: NOW - 3 * 3600 + 150 })).toBe('clock_skew');
  });

  it.each([
    ['none', { alg: 'none' }],
    ['HS256 (a public client has no secret)', { alg: 'HS256' }],
    ['an algorithm the provider does not use', { alg: 'ES256' }],
    ['no alg', { typ: 'JWT' }],
  ])('rejects alg %s (B7)', (_name, header) => {
    expect(check(good, {}, header)).toBe('invalid_id_token');
  });

  it('drops none and HS* from the advertised algorithms', () => {
    expect(defaultAlgs(['RS256', 'none', 'HS256', 'ES256'])).toEqual(['RS256', 'ES256']);
    expect(defaultAlgs(undefined)).toEqual(['RS256']);
  });

  it('requires auth_time when max_age was sent, and rejects one too old (B10)', () => {
    expect(check(good, { maxAge: 300 })).toBe('invalid_id_token');
    expect(check({ ...good, auth_time: NOW - 100 }, { maxAge: 300 })).toBe('ok');
    expect(check({ ...good, auth_time: NOW - 400 }, { maxAge: 300 })).toBe('invalid_id_token');
    expect(check({ ...good, auth_time: NOW - 330 }, { maxAge: 300 })).toBe('ok');
  });

  it('checks the sub of a refreshed token (D5)', () => {
    expect(check({ ...good, nonce: undefined }, { nonce: undefined, sub: 'alice' })).toBe('ok');
    expect(check({ ...good, nonce: undefined, sub: 'bob' }, { nonce: undefined, sub: 'alice' })).toBe('invalid_id_token');
  });

  it.each([
    ['two parts', 'a.b'],
    ['four parts', 'a.b.c.d'],
    ['bad base64url', '!!!.@@@.sig'],
    ['JSON that is not an object', `${Buffer.from('[]').toString('base64url')}.${Buffer.from('1').toString('base64url')}.x`],
    ['a huge token', `${'a'.repeat(70_000)}.b.c`],
  ])('rejects a malformed JWT: %s (B11)', (_name, token) => {
    expect(codeOf(() => validateIdToken(token, expect0))).toBe('invalid_id_token');
    expect(decodeJwtPart(token, 1)).toBeUndefined();
  });

  it('never puts the token in the error message', () => {
    const token = jwt({ ...good, aud: 'other' });
    try {
      validateIdToken(token, expect0);
    } catch (error) {
      expect(String((error as Error).message)).not.toContain(token.split('.')[1]);
    }
  });

  it('gives the profile claims without the protocol claims', () => {
    const claims = validateIdToken(jwt({ ...good, name: 'Alice', auth_time: NOW, sid: 's' }), expect0);
    expect(userFromClaims(claims)).toEqual({ sub: 'alice', name: 'Alice' });
  });
});
