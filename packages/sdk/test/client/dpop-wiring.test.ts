import { describe, expect, it } from 'vitest';
import { world } from '../support/setup.js';

/** The JWT's header and payload, read without checking anything. */
const decode = (jwt: string) =>
  jwt
    .split('.')
    .slice(0, 2)
    .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));

describe('useDpop: the client wires the DPoP chunk into its flows', () => {
  it('binds the code to the key (dpop_jkt) and proves possession on the code exchange', async () => {
    const w = world({ useDpop: true });
    const proofs: string[] = [];
    const fetch = w.tab.fetch;
    w.tab.fetch = (input, init) => {
      const proof = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined)).get('dpop');
      if (proof) proofs.push(proof);
      return fetch(input, init);
    };
    await w.login();
    const authorize = new URL(w.tab.navigations.at(-1) as string);
    const jkt = authorize.searchParams.get('dpop_jkt');
    expect(jkt).toMatch(/^[\w-]{43}$/);
    expect(proofs).toHaveLength(1);
    const [header, payload] = decode(proofs[0] as string);
    expect(header).toMatchObject({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty: 'EC', crv: 'P-256' } });
    expect(header.jwk).not.toHaveProperty('d');
    expect(payload).toMatchObject({ htm: 'POST', htu: expect.stringMatching(/\/token$/) });
    expect(await w.client.isAuthenticated()).toBe(true);
  });

  it('sends Bearer tokens as Bearer through createFetcher when the provider did not bind them (RFC 9449 §5)', async () => {
    const w = world({ useDpop: true });
    await w.login();
    const seen: Headers[] = [];
    const api = w.client.createFetcher({
      fetch: async (input) => {
        seen.push((input as Request).headers);
        return new Response('ok');
      },
    });
    expect((await api('https://api.example/messages')).status).toBe(200);
    expect(seen[0]?.get('authorization')).toMatch(/^Bearer /);
    expect(seen[0]?.get('dpop')).toBeNull();
  });

  it('sends no proof and no dpop_jkt without useDpop', async () => {
    const w = world();
    await w.login();
    expect(new URL(w.tab.navigations.at(-1) as string).searchParams.has('dpop_jkt')).toBe(false);
  });
});
