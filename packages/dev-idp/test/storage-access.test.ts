import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevIdp } from '../src/index.js';
import { Agent, APP, authorize, authorizeUrl, pkce, startIdp } from './helpers.js';

// The Storage Access opt-in, request by request: which silent requests get the page, what the
// page and its headers say, and that everything else reaches oidc-provider untouched. What a
// browser does with it is measured in Chromium by e2e/storage-access/.

/** The headers Chromium sends for a navigation of a cross-site iframe, where third-party cookies are blocked. */
function crossSiteFrame(storageAccess?: 'none' | 'inactive' | 'active'): Record<string, string> {
  return {
    'sec-fetch-dest': 'iframe',
    'sec-fetch-site': 'cross-site',
    'sec-fetch-mode': 'navigate',
    ...(storageAccess ? { 'sec-fetch-storage-access': storageAccess } : {}),
  };
}

function silentUrl(idp: DevIdp, state: string, extra: { redirectUri?: string } = {}): string {
  return authorizeUrl(idp, { prompt: 'none', responseMode: 'web_message', ...extra }, pkce().challenge, state);
}

/** The `answerUrl` the silent page navigates to, resolved against the IdP. */
function answerUrlIn(html: string, idp: DevIdp): string {
  const match = /const answerUrl = ("[^"]*");/.exec(html);
  if (!match?.[1]) throw new Error(`no answer URL in ${html.slice(0, 300)}`);
  return new URL(JSON.parse(match[1]) as string, idp.issuer).href;
}

async function discovery(idp: DevIdp): Promise<Record<string, unknown>> {
  const response = await new Agent(idp).fetch(`${idp.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
  return (await response.json()) as Record<string, unknown>;
}

describe('storageAccess off (the default)', () => {
  let idp: DevIdp;
  beforeAll(async () => {
    idp = await startIdp();
  });
  afterAll(() => idp.close());

  it('answers a cookieless cross-site silent frame with login_required, as before', async () => {
    const response = await new Agent(idp).fetch(silentUrl(idp, 'off'), { headers: crossSiteFrame('none') });
    const html = await response.text();
    expect(html).toContain('"error":"login_required"');
    expect(html).not.toContain('storage_access_required');
    expect(await discovery(idp)).not.toHaveProperty('storage_access_endpoint');
    expect((await new Agent(idp).fetch('storage-access?client_id=site-a')).status).toBe(404);
  });
});

describe('storageAccess on', () => {
  let idp: DevIdp;
  beforeAll(async () => {
    idp = await startIdp({ storageAccess: true });
  });
  afterAll(() => idp.close());

  it('gives a cookieless cross-site silent frame the page, which tells only the redirect URI origin', async () => {
    const response = await new Agent(idp).fetch(silentUrl(idp, 's1'), { headers: crossSiteFrame('none') });
    expect(response.status).toBe(200);
    expect(response.headers.get('activate-storage-access')).toBeNull();
    expect(response.headers.get('cache-control')).toBe('no-store');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain(`frame-ancestors ${APP}`);
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    const html = await response.text();
    expect(html).toContain(`<script nonce="${nonce}">`);
    expect(html).toContain(`const targetOrigin = ${JSON.stringify(APP)};`);
    expect(html).toContain('type: "storage_access_required", state: "s1"');
    expect(html).not.toMatch(/postMessage\([^)]*'\*'/);
  });

  it('asks Chromium to retry with the cookie when a grant exists but is inactive', async () => {
    const response = await new Agent(idp).fetch(silentUrl(idp, 's2'), { headers: crossSiteFrame('inactive') });
    expect(response.status).toBe(200);
    expect(response.headers.get('activate-storage-access')).toBe(`retry; allowed-origin="${APP}"`);
  });

  it("answers the page's own follow-up as usual (login_required to the redirect URI)", async () => {
    const page = await new Agent(idp).fetch(silentUrl(idp, 's3'), { headers: crossSiteFrame('none') });
    const answer = answerUrlIn(await page.text(), idp);
    expect(new URL(answer).searchParams.get('sso_storage_access')).toBe('1');
    const response = await new Agent(idp).fetch(answer, { headers: crossSiteFrame('none') });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('"error":"login_required"');
    expect(html).toContain('"state":"s3"');
    expect(html).not.toContain('sso_storage_access');
  });

  it('leaves requests alone that carry the session cookie, use their access, are top-level, or name a foreign redirect URI', async () => {
    const agent = new Agent(idp);
    await authorize(agent, idp);
    const signedIn = await (await agent.fetch(silentUrl(idp, 'c'), { headers: crossSiteFrame('active') })).text();
    expect(signedIn).toContain('"code":');
    const active = await (await new Agent(idp).fetch(silentUrl(idp, 'a'), { headers: crossSiteFrame('active') })).text();
    expect(active).toContain('"error":"login_required"');
    const topLevel = await new Agent(idp).fetch(silentUrl(idp, 't'), {
      headers: { ...crossSiteFrame('none'), 'sec-fetch-dest': 'document' },
    });
    expect(await topLevel.text()).toContain('"error":"login_required"');
    const foreign = await new Agent(idp).fetch(silentUrl(idp, 'f', { redirectUri: 'http://evil.localhost/cb' }), {
      headers: crossSiteFrame('none'),
    });
    expect(foreign.status).toBe(400);
    expect(await foreign.text()).not.toContain('storage_access');
  });

  it('serves the "Stay signed in" button to registered clients only, framable by their web origins', async () => {
    const query = new URLSearchParams({ client_id: 'site-a', redirect_uri: `${APP}/callback` });
    const response = await new Agent(idp).fetch(`storage-access?${query}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain(`frame-ancestors ${APP}`);
    const html = await response.text();
    expect(html).toContain('<button id="stay" type="button">Stay signed in</button>');
    expect(html).toContain(`const targetOrigin = ${JSON.stringify(APP)};`);
    const foreign = new URLSearchParams({ client_id: 'site-a', redirect_uri: 'http://evil.localhost/cb' });
    expect((await new Agent(idp).fetch(`storage-access?${foreign}`)).status).toBe(400);
    expect((await new Agent(idp).fetch('storage-access?client_id=nobody')).status).toBe(400);
  });

  it('lists the button page in discovery', async () => {
    expect((await discovery(idp)).storage_access_endpoint).toBe(`${idp.issuer.replace(/\/$/, '')}/storage-access`);
  });
});
