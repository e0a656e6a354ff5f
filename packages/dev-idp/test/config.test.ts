import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { optionsFromArgs } from '../src/cli-options.js';
import { resolveConfig } from '../src/config.js';
import { defaultBehaviour, defaultUser, profiles } from '../src/index.js';

describe('configuration', () => {
  it('has the documented defaults', () => {
    const config = resolveConfig({});
    expect(config).toMatchObject({
      port: 0,
      listenHost: '127.0.0.1',
      hostname: 'localhost',
      sessionIdleSeconds: 300,
      sessionAbsoluteSeconds: 3 * 24 * 3600,
      idTokenSeconds: 150,
      accessTokenSeconds: 150,
      refreshTokenSeconds: undefined,
      clockToleranceSeconds: 15,
      refreshExtendsSession: false,
      introspection: false,
      storageFile: undefined,
    });
    expect(config.users).toEqual([defaultUser]);
    expect(defaultUser).toEqual({ sub: 'alice', email: 'alice@example.com', password: 'wonderland', name: 'Alice Liddell' });
  });

  it('accepts session timeouts from 1 s up to 100 days idle and 365 days absolute', () => {
    expect(resolveConfig({ sessionIdleSeconds: 1, sessionAbsoluteSeconds: 1 })).toMatchObject({ sessionIdleSeconds: 1 });
    expect(resolveConfig({ sessionIdleSeconds: 100 * 86400, sessionAbsoluteSeconds: 365 * 86400 })).toMatchObject({
      sessionIdleSeconds: 8_640_000,
      sessionAbsoluteSeconds: 31_536_000,
    });
    expect(() => resolveConfig({ sessionIdleSeconds: 0 })).toThrow(/sessionIdleSeconds/);
    expect(() => resolveConfig({ sessionIdleSeconds: 100 * 86400 + 1 })).toThrow(/sessionIdleSeconds/);
    expect(() => resolveConfig({ sessionAbsoluteSeconds: 365 * 86400 + 1 })).toThrow(/sessionAbsoluteSeconds/);
    expect(() => resolveConfig({ idTokenSeconds: 1.5 })).toThrow(/idTokenSeconds/);
  });

  it('defaults web origins to the redirect URI origins', () => {
    const [client] = resolveConfig({
      clients: [{ clientId: 'a', redirectUris: ['http://a.localhost:1/cb', 'http://a.localhost:1/other'] }],
    }).clients;
    expect(client).toMatchObject({ webOrigins: ['http://a.localhost:1'], postLogoutRedirectUris: [] });
    expect(() => resolveConfig({ clients: [{ clientId: 'a', redirectUris: [] }] })).toThrow(/redirect URI/);
  });
});

describe('provider behaviour', () => {
  it('is the default behaviour without a profile', () => {
    expect(resolveConfig({}).behaviour).toEqual(defaultBehaviour);
    expect(resolveConfig({ profile: 'default' }).behaviour).toEqual(defaultBehaviour);
  });

  it('merges the profile over the defaults, then explicit flags over the profile', () => {
    const behaviour = resolveConfig({ profile: 'hint-required', behaviour: { webMessage: true, corsWildcard: true } }).behaviour;
    expect(behaviour).toEqual({
      ...defaultBehaviour,
      ...profiles['hint-required'],
      webMessage: true,
      corsWildcard: true,
    });
    expect(behaviour.requireIdTokenHint).toBe(true);
  });

  it('rejects an unknown profile, an unknown flag and a wrong value, naming them', () => {
    expect(() => resolveConfig({ profile: 'okta' as never })).toThrow(/unknown profile "okta"; profiles: default, hint-required/);
    expect(() => resolveConfig({ behaviour: { webmessage: false } as never })).toThrow(/unknown behaviour webmessage/);
    expect(() => resolveConfig({ behaviour: { noSessionError: 'consent_required' as never } })).toThrow(/noSessionError/);
    expect(() => resolveConfig({ behaviour: { webMessage: 'no' as never } })).toThrow(/webMessage/);
  });

  it('checks per-client token lifetimes', () => {
    const redirectUris = ['http://a.localhost:1/cb'];
    const [client] = resolveConfig({ clients: [{ clientId: 'a', redirectUris, idTokenSeconds: 30 }] }).clients;
    expect(client).toMatchObject({ idTokenSeconds: 30, accessTokenSeconds: undefined });
    expect(() => resolveConfig({ clients: [{ clientId: 'a', redirectUris, accessTokenSeconds: 0 }] })).toThrow(
      /a\.accessTokenSeconds/,
    );
  });
});

describe('CLI options', () => {
  it('takes --profile, and profile and behaviour from --config, flags winning', async () => {
    expect(optionsFromArgs(['--profile', 'minimal'])?.profile).toBe('minimal');
    expect(() => optionsFromArgs(['--profile', 'nope'])).toThrow(
      /--profile must be one of default, hint-required, framed-login, minimal/,
    );
    const dir = await mkdtemp(join(tmpdir(), 'dev-idp-config-'));
    try {
      const file = join(dir, 'idp.json');
      await writeFile(file, JSON.stringify({ profile: 'framed-login', behaviour: { emptyTokenErrors: false } }));
      expect(optionsFromArgs(['--config', file])).toMatchObject({
        profile: 'framed-login',
        behaviour: { emptyTokenErrors: false },
      });
      expect(optionsFromArgs(['--config', file, '--profile', 'minimal'])?.profile).toBe('minimal');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('maps flags to createDevIdp options', () => {
    const options = optionsFromArgs([
      '--port',
      '0',
      '--hostname',
      'idp.localhost',
      '--idle',
      '8',
      '--absolute',
      '3600',
      '--id-token-ttl',
      '4',
      '--access-token-ttl',
      '5',
      '--clock-tolerance',
      '0',
      '--refresh-extends-session',
      '--introspection',
      '--client',
      'site-a=http://app-a.localhost:3000/callback',
      '--api',
      'https://api.example=read:messages write:messages',
    ]);
    expect(options).toMatchObject({
      port: 0,
      hostname: 'idp.localhost',
      sessionIdleSeconds: 8,
      sessionAbsoluteSeconds: 3600,
      idTokenSeconds: 4,
      accessTokenSeconds: 5,
      clockToleranceSeconds: 0,
      refreshExtendsSession: true,
      introspection: true,
      clients: [
        {
          clientId: 'site-a',
          redirectUris: ['http://app-a.localhost:3000/callback'],
          webOrigins: ['http://app-a.localhost:3000'],
          postLogoutRedirectUris: ['http://app-a.localhost:3000', 'http://app-a.localhost:3000/'],
        },
      ],
      apis: [{ identifier: 'https://api.example', scopes: ['read:messages', 'write:messages'] }],
    });
  });

  it('gives a person a usable client and port without any flags', () => {
    const options = optionsFromArgs([]);
    expect(options?.port).toBe(4000);
    expect(options?.clients?.[0]?.redirectUris).toContain('http://localhost:5173/callback');
  });

  it('rejects a malformed number and returns nothing for --help', () => {
    expect(() => optionsFromArgs(['--idle', 'soon'])).toThrow(/--idle/);
    expect(optionsFromArgs(['--help'])).toBeUndefined();
  });
});
