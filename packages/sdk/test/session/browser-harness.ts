import { fileURLToPath } from 'node:url';
import {
  type LaunchedBrowser,
  type LoopbackServer,
  launchChromium,
  listenOnLoopback,
  type RouteHandler,
  staticSite,
} from '@sso-spa/testkit';
import type { Page } from 'playwright-core';
import { createDevIdp, type DevIdp, type DevIdpOptions } from 'sso-spa-dev-idp';
import type { SessionManagerOptions, SessionSnapshot } from '../../src/session/index.js';

const dist = fileURLToPath(new URL('../../dist/', import.meta.url));

/** What a test app page exposes on `window`. */
export interface AppWindow {
  ready?: boolean;
  session: {
    getSnapshot(): SessionSnapshot;
    continueSession(): Promise<void>;
    logout(options?: unknown): Promise<void>;
  };
  client: { isAuthenticated(): Promise<boolean>; loginWithRedirect(): Promise<void> };
}

export interface SiteConfig {
  issuer: string;
  clientId: string;
  useRefreshTokens: boolean;
  session: Omit<SessionManagerOptions, 'platform'>;
}

/**
 * The app: the built SDK from `dist/` as ES modules, a
 * client with a localStorage cache shared by the site's tabs, the session manager and the
 * dialog. The callback route and every other path serve the same page.
 */
function appPage(config: SiteConfig): string {
  return `<!doctype html>
<meta charset="utf-8">
<title>${config.clientId}</title>
<p id="status">loading</p>
<script type="module">
  import { SsoClient } from '/dist/index.js';
  import { createSessionManager } from '/dist/session/index.js';
  import { defineSessionDialog } from '/dist/dialog/index.js';
  const config = ${JSON.stringify(config)};
  const client = new SsoClient({
    issuer: config.issuer,
    clientId: config.clientId,
    authorizationParams: { redirect_uri: location.origin + '/callback' },
    cacheLocation: 'localstorage',
    useRefreshTokens: config.useRefreshTokens,
  });
  window.client = client;
  try {
    if (location.pathname === '/callback' && location.search) await client.handleRedirectCallback();
    else await client.checkSession();
  } catch (error) {
    window.startError = error.code;
  }
  const session = createSessionManager(client, config.session);
  window.session = session;
  defineSessionDialog();
  const dialog = document.createElement('sso-session-dialog');
  dialog.manager = session;
  document.body.append(dialog);
  const status = document.getElementById('status');
  const render = (s) => { status.textContent = s.status + (s.reason ? ':' + s.reason : ''); };
  session.subscribe(render);
  render(session.getSnapshot());
  window.ready = true;
</script>`;
}

export interface Stack {
  /** The IdP now listening (a new object after `restartIdp`). */
  idp: DevIdp;
  siteA: LoopbackServer;
  siteB: LoopbackServer;
  browser: LaunchedBrowser;
  /**
   * Stops the IdP and starts it again on the same port with the same clients: with memory
   * storage it has new signing keys and none of its sessions, like a redeployed provider.
   */
  restartIdp(): Promise<void>;
  close(): Promise<void>;
}

export interface StackOptions {
  thirdPartyCookies: boolean;
  useRefreshTokens?: boolean;
  idp: Pick<DevIdpOptions, 'sessionIdleSeconds' | 'idTokenSeconds' | 'accessTokenSeconds' | 'refreshExtendsSession'>;
  session: Omit<SessionManagerOptions, 'platform'>;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const opened: { close(): Promise<void> }[] = [];
  const close = async () => {
    for (const item of opened.reverse()) await item.close().catch(() => undefined);
  };
  try {
    // The sites need the issuer and the IdP needs the sites' origins: listen first, serve later.
    let pageA = '';
    let pageB = '';
    const files = staticSite({ mounts: { '/dist/': dist } });
    const serve =
      (page: () => string): RouteHandler =>
      (req, res) => {
        const path = new URL(req.url ?? '/', 'http://x').pathname;
        if (path.startsWith('/dist/') || path.startsWith('/vendor/')) return files(req, res);
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
        res.end(page());
      };
    const siteA = await listenOnLoopback(
      'app-a.localhost',
      serve(() => pageA),
    );
    opened.push(siteA);
    const siteB = await listenOnLoopback(
      'app-b.localhost',
      serve(() => pageB),
    );
    opened.push(siteB);
    const client = (clientId: string, origin: string) => ({
      clientId,
      redirectUris: [`${origin}/callback`],
      postLogoutRedirectUris: [`${origin}/`],
      webOrigins: [origin],
    });
    const idpOptions = {
      port: 0,
      hostname: 'idp.localhost',
      clockToleranceSeconds: 0,
      ...options.idp,
      clients: [client('site-a', siteA.origin), client('site-b', siteB.origin)],
    };
    let idp = await createDevIdp(idpOptions);
    // Closed through this indirection, so a restarted IdP is the one closed at the end.
    opened.push({ close: () => idp.close() });
    const config = (clientId: string): SiteConfig => ({
      issuer: idp.issuer,
      clientId,
      useRefreshTokens: options.useRefreshTokens ?? false,
      session: options.session,
    });
    pageA = appPage(config('site-a'));
    pageB = appPage(config('site-b'));
    const browser = await launchChromium({ thirdPartyCookies: options.thirdPartyCookies });
    opened.push(browser);
    const stack: Stack = {
      idp,
      siteA,
      siteB,
      browser,
      async restartIdp() {
        const port = idp.port;
        await idp.close();
        idp = await createDevIdp({ ...idpOptions, port });
        stack.idp = idp;
      },
      close,
    };
    return stack;
  } catch (error) {
    await close();
    throw error;
  }
}

declare const window: Window & AppWindow;

export async function appReady(page: Page): Promise<void> {
  await page.waitForFunction(() => window.ready === true);
}

/** Opens the site in a new tab and waits for the app (and its silent check) to be ready. */
export async function openTab(stack: Stack, origin: string, path = '/'): Promise<Page> {
  const page = await stack.browser.context.newPage();
  await page.goto(`${origin}${path}`);
  await appReady(page);
  return page;
}

/** Logs in at the IdP's form from a tab of the site and waits for the app to be back. */
export async function signIn(page: Page, origin: string): Promise<void> {
  await page.evaluate(() => {
    void window.client.loginWithRedirect();
  });
  await page.getByLabel('Email').fill('alice@example.com');
  await page.getByLabel('Password').fill('wonderland');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.origin === origin);
  await appReady(page);
}

export function snapshot(page: Page): Promise<SessionSnapshot> {
  return page.evaluate(() => window.session.getSnapshot());
}

/** Waits until the page's status line reads `status` (e.g. `warning`, `expired:idle`). */
export async function waitForStatus(page: Page, status: string, timeout = 30_000): Promise<void> {
  await page.waitForFunction((expected) => document.getElementById('status')?.textContent === expected, status, { timeout });
}

/** Turns off headless Chromium's "every page has focus" emulation, so focus changes are real. */
export async function realFocus(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setFocusEmulationEnabled', { enabled: false });
}
