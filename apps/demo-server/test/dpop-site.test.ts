import { afterEach, describe, expect, it } from 'vitest';
import { type Demo, startDemo } from '../src/index.js';
import { getJson } from './http.js';

const config = async (site: string) => (await getJson(new URL('/config.json', site))).json;

describe('startDemo: one site with DPoP-bound tokens, the other with Bearer tokens', { timeout: 20_000 }, () => {
  let demo: Demo | undefined;
  afterEach(async () => {
    await demo?.close();
    demo = undefined;
  });

  it('gives site A DPoP and strict ID token checks by default, site B neither', async () => {
    demo = await startDemo();
    expect(demo.dpopSite).toBe('a');
    expect(await config(demo.siteA)).toMatchObject({ clientId: 'site-a', useDpop: true, verifyIdTokenSignature: true });
    expect(await config(demo.siteB)).toMatchObject({ clientId: 'site-b', useDpop: false, verifyIdTokenSignature: false });
  });

  it('moves DPoP to site B, or turns it off', async () => {
    demo = await startDemo({ dpopSite: 'b' });
    expect(await config(demo.siteA)).toMatchObject({ useDpop: false });
    expect(await config(demo.siteB)).toMatchObject({ useDpop: true, verifyIdTokenSignature: true });
    await demo.close();
    demo = await startDemo({ dpopSite: 'none' });
    expect(await config(demo.siteA)).toMatchObject({ useDpop: false });
    expect(await config(demo.siteB)).toMatchObject({ useDpop: false });
  });

  it('refuses an unknown site, naming it', async () => {
    await expect(startDemo({ dpopSite: 'c' as never })).rejects.toThrow(/dpopSite must be a, b or none, not "c"/);
  });
});
