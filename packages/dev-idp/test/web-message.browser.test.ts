import { type LaunchedBrowser, type LoopbackServer, launchChromium, listenOnLoopback, staticSite } from '@sso-spa/testkit';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDevIdp, type DevIdp } from '../src/index.js';
import { authorizeUrl, pkce, sleepUntilEpoch } from './helpers.js';

// The app page opens a hidden iframe to the IdP's authorization endpoint with prompt=none and
// response_mode=web_message, and records the message the IdP posts back.
const silentPage = `<!doctype html>
<meta charset="utf-8">
<title>silent</title>
<script>
  const params = new URLSearchParams(location.search);
  const authorize = params.get('authorize');
  const idpOrigin = new URL(authorize).origin;
  window.addEventListener('message', (event) => {
    if (event.origin !== idpOrigin || event.data?.type !== 'authorization_response') return;
    window.result = event.data.response;
  });
  const frame = document.createElement('iframe');
  frame.style.display = 'none';
  frame.src = authorize;
  document.documentElement.append(frame);
</script>`;

type Page = Awaited<ReturnType<LaunchedBrowser['context']['newPage']>>;

const callbackPage = '<!doctype html><meta charset="utf-8"><title>callback</title><p>callback</p>';

describe('web_message response mode in a cross-site iframe', () => {
  let app: LoopbackServer;
  let idp: DevIdp | undefined;
  let browser: LaunchedBrowser | undefined;

  beforeAll(async () => {
    app = await listenOnLoopback(
      'app-a.localhost',
      staticSite({ pages: { '/silent.html': silentPage, '/callback': callbackPage } }),
    );
    return () => app.close();
  });
  afterEach(async () => {
    await browser?.close();
    await idp?.close();
  });

  async function silentFromApp(tab: Page, state: string) {
    const silent = authorizeUrl(
      idp!,
      { redirectUri: `${app.origin}/callback`, prompt: 'none', responseMode: 'web_message' },
      pkce().challenge,
      state,
    );
    await tab.goto(`${app.origin}/silent.html?${new URLSearchParams({ authorize: silent })}`);
    const handle = await tab.waitForFunction(() => (window as unknown as { result?: unknown }).result, undefined, {
      timeout: 10_000,
    });
    return (await handle.jsonValue()) as Record<string, string>;
  }

  async function signInThenSilent(thirdPartyCookies: boolean) {
    idp = await createDevIdp({
      hostname: 'idp.localhost',
      clockToleranceSeconds: 0,
      clients: [
        {
          clientId: 'site-a',
          redirectUris: [`${app.origin}/callback`],
          postLogoutRedirectUris: [`${app.origin}/`],
          webOrigins: [app.origin],
        },
      ],
    });
    browser = await launchChromium({ thirdPartyCookies });
    const tab = await browser.context.newPage();
    const redirectUri = `${app.origin}/callback`;
    await tab.goto(authorizeUrl(idp, { redirectUri }, pkce().challenge, 'interactive'));
    await tab.getByLabel('Email').fill('alice@example.com');
    await tab.getByLabel('Password').fill('wonderland');
    await tab.getByRole('button', { name: 'Sign in' }).click();
    await tab.waitForURL((url) => url.origin === app.origin && url.pathname === '/callback');
    expect(new URL(tab.url()).searchParams.get('code')).toBeTruthy();

    return { tab, response: await silentFromApp(tab, 'silent') };
  }

  it('answers with a code when third-party cookies are allowed, slides the session, and ends with logout', async () => {
    const { tab, response } = await signInThenSilent(true);
    expect(response.code).toBeTruthy();
    expect(response.state).toBe('silent');
    expect(response.iss).toBe(idp!.issuer);

    // The silent request from the iframe slid the SSO session.
    const [before] = await idp!.listSessions();
    // The IdP keeps whole seconds: wait until its clock has passed the last activity.
    await sleepUntilEpoch(before!.lastActiveAt + 1);
    expect((await silentFromApp(tab, 'again')).code).toBeTruthy();
    const [after] = await idp!.listSessions();
    expect(after!.lastActiveAt).toBeGreaterThan(before!.lastActiveAt);
    expect(after!.idleExpiresAt).toBeGreaterThan(before!.idleExpiresAt);

    // RP-initiated logout with client_id: no click, back on the app, session gone.
    const logout = new URL('oidc/logout', idp!.issuer);
    logout.searchParams.set('client_id', 'site-a');
    logout.searchParams.set('post_logout_redirect_uri', `${app.origin}/`);
    logout.searchParams.set('state', 'out');
    await tab.goto(logout.href);
    await tab.waitForURL((url) => url.origin === app.origin && url.pathname === '/');
    expect(new URL(tab.url()).searchParams.get('state')).toBe('out');
    expect(await idp!.listSessions()).toEqual([]);
    expect((await silentFromApp(tab, 'after-logout')).error).toBe('login_required');
  });

  it('answers login_required when third-party cookies are blocked', async () => {
    const { response } = await signInThenSilent(false);
    expect(response.error).toBe('login_required');
    expect(response.state).toBe('silent');
  });
});
