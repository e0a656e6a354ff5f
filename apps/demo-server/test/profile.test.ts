import { afterEach, describe, expect, it } from 'vitest';
import { type Demo, startDemo } from '../src/index.js';
import { getJson } from './http.js';

const discovery = (demo: Demo) => getJson(new URL(`${demo.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`));

describe('startDemo with a provider profile', { timeout: 20_000 }, () => {
  let demo: Demo | undefined;
  afterEach(async () => {
    await demo?.close();
    demo = undefined;
  });

  it('runs the dev IdP with the profile, and flags over it', async () => {
    demo = await startDemo({ profile: 'minimal', behaviour: { webMessage: true } });
    expect(demo.issuer).toBe(`http://idp.localhost:${demo.idp.port}`);
    const { status, json } = await discovery(demo);
    expect(status).toBe(200);
    expect(json.issuer).toBe(demo.issuer);
    expect(json.end_session_endpoint).toBeUndefined();
    expect(json.response_modes_supported).toContain('web_message');
  });

  it('keeps the default provider without a profile', async () => {
    demo = await startDemo();
    expect(demo.issuer).toBe(`http://idp.localhost:${demo.idp.port}/`);
    const { json } = await discovery(demo);
    expect(json.end_session_endpoint).toBe(`${demo.issuer}oidc/logout`);
  });

  it('refuses an unknown profile, naming it', async () => {
    await expect(startDemo({ profile: 'nope' as never })).rejects.toThrow(/unknown profile "nope"/);
  });
});
