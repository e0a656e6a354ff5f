// Issue 12, redirects: targets that pass as same-origin paths but normalise to a host.
import { describe, expect } from 'vitest';
import { sameOriginPath } from '../../src/index.js';
import { securitySuite } from './cases.js';

const securityCase = securitySuite(import.meta.url, 'unit');

/** What a browser makes of `path` on https://app.example: where would it navigate? */
const landsOn = (path: string) => new URL(path, 'https://app.example/start').origin;

describe('(g) redirect targets that normalise to another host', () => {
  securityCase('G5', 'dot segments and encoded slashes never turn an accepted path into //host', async () => {
    const hostile = [
      '/.//evil.example/x',
      '/..//evil.example/x',
      '/a/..//evil.example/x',
      '/a/b/../..//evil.example/x',
      '/%2e//evil.example/x',
      '/%2E%2E//evil.example/x',
      '/.%2e//evil.example/x',
      '/./\\evil.example/x',
      '/%2f/evil.example/x',
      '/%2F%2Fevil.example/x',
      '/%5cevil.example/x',
      '/%5C/evil.example/x',
      '/%2e%2e/%2fevil.example/x',
      '/./%2F%2Fevil.example',
    ];
    for (const target of hostile) {
      const result = sameOriginPath(target, '/home');
      expect(result, target).toBe('/home');
    }
    // The same paths unnormalised would have left the site: the check is not vacuous.
    for (const target of hostile.slice(0, 6))
      expect(landsOn(new URL(target, 'http://x').pathname), target).not.toBe('https://app.example');
    // Same-origin paths with dot segments, encoded characters and queries still pass, normalised.
    expect(sameOriginPath('/a/./b/../c?x=1#y')).toBe('/a/c?x=1#y');
    expect(sameOriginPath('/a//b')).toBe('/a//b');
    expect(sameOriginPath('/files/a%2fb')).toBe('/files/a%2fb');
    expect(sameOriginPath('/..')).toBe('/');
    for (const ok of ['/a/c?x=1#y', '/a//b', '/files/a%2fb', '/'])
      expect(landsOn(sameOriginPath(ok))).toBe('https://app.example');
  });
});
