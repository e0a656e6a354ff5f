import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { type Demo, startDemo } from '../src/index.js';

/** GET on loopback with the URL's own Host header (Node cannot resolve `*.localhost` itself). */
function getJson(url: URL): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: url.port, path: url.pathname, headers: { host: url.host }, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

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
