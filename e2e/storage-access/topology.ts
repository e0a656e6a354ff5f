import type { IncomingMessage, ServerResponse } from 'node:http';
import { type LaunchedBrowser, type LoopbackServer, launchChromium, listenOnLoopback, staticSite } from '@sso-spa/testkit';
import { createDevIdp, type DevIdp, type DevIdpHandler } from 'sso-spa-dev-idp';

// The experiment's world: the dev IdP with its Storage Access opt-in on idp.localhost, two
// application sites (app-a.localhost, app-b.localhost) that serve one harness page, and
// Chromium with third-party cookies blocked. Everything listens on 127.0.0.1 and `close()`
// stops all of it.

/** What the IdP saw of one request, and what it answered with. */
export interface IdpRequest {
  path: string;
  /** `prompt` of an authorization request. */
  prompt: string | null;
  /** The request carried the SSO session cookie. */
  sessionCookie: boolean;
  /** `Sec-Fetch-Storage-Access` (Chromium): `none`, `inactive`, `active`, or null when absent. */
  storageAccess: string | null;
  dest: string | null;
  /** The silent page's own follow-up request (it carries the IdP's answer mark). */
  followUp: boolean;
  /** The `Activate-Storage-Access` header of the answer, if any. */
  activate: string | null;
  status: number;
}

/**
 * The application's page. It frames the URLs its query names and keeps every message the IdP
 * posts to it: `silent` in a hidden frame (as an SDK's silent check), `button` in a visible one
 * (as an SDK dialog would host the provider's button), `probe` hidden.
 */
const harness = `<!doctype html>
<meta charset="utf-8">
<title>harness</title>
<h1>app</h1>
<script>
  const params = new URLSearchParams(location.search);
  const idp = params.get('idp');
  window.messages = [];
  window.addEventListener('message', (event) => {
    if (event.origin === idp) window.messages.push(event.data);
  });
  for (const name of ['silent', 'button', 'probe']) {
    const src = params.get(name);
    if (!src) continue;
    const frame = document.createElement('iframe');
    frame.id = name;
    frame.title = name;
    if (name === 'button') Object.assign(frame, { width: 420, height: 280 });
    else frame.style.display = 'none';
    frame.src = src;
    document.body.append(frame);
  }
</script>`;

/**
 * A page on the IdP's origin, framed by the harness, that asks for storage access on load,
 * without any user gesture, and reports what it got. Served by the experiment (through the
 * IdP's fault-injection seam), not by the IdP itself.
 */
const probe = `<!doctype html>
<meta charset="utf-8">
<title>probe</title>
<script>
(async () => {
  const result = { type: 'probe', has: await document.hasStorageAccess() };
  result.permission = await navigator.permissions.query({ name: 'storage-access' }).then((s) => s.state, (e) => 'query failed: ' + e.message);
  try { await document.requestStorageAccess(); result.request = 'granted'; } catch (e) { result.request = 'rejected: ' + e.name; }
  result.hasAfter = await document.hasStorageAccess();
  result.cookieAfter = await (await fetch('/__probe/cookie', { credentials: 'include' })).text();
  parent.postMessage(result, new URLSearchParams(location.search).get('parent'));
})();
</script>`;

export interface World {
  idp: DevIdp;
  appA: LoopbackServer;
  appB: LoopbackServer;
  browser: LaunchedBrowser;
  /** Every request the IdP saw, in order. */
  requests: IdpRequest[];
  /** When true, the IdP's `Activate-Storage-Access` header is dropped (a browser without the header flow). */
  stripActivateHeader: boolean;
  close(): Promise<void>;
}

function recorded(world: Pick<World, 'requests' | 'stripActivateHeader'>) {
  return (handler: DevIdpHandler): DevIdpHandler =>
    (req: IncomingMessage, res: ServerResponse) => {
      const url = new URL(req.url ?? '/', 'http://idp');
      if (url.pathname === '/__probe' || url.pathname === '/__probe/cookie') {
        res.writeHead(200, {
          'content-type': url.pathname === '/__probe' ? 'text/html' : 'text/plain',
          'cache-control': 'no-store',
        });
        res.end(url.pathname === '/__probe' ? probe : String(/(?:^|;\s*)_session=/.test(req.headers.cookie ?? '')));
        return;
      }
      const entry: IdpRequest = {
        path: url.pathname,
        prompt: url.searchParams.get('prompt'),
        sessionCookie: /(?:^|;\s*)_session=/.test(req.headers.cookie ?? ''),
        storageAccess: (req.headers['sec-fetch-storage-access'] as string | undefined) ?? null,
        dest: (req.headers['sec-fetch-dest'] as string | undefined) ?? null,
        followUp: url.searchParams.has('sso_storage_access'),
        activate: null,
        status: 0,
      };
      world.requests.push(entry);
      const setHeader = res.setHeader.bind(res);
      res.setHeader = ((name: string, value: number | string | readonly string[]) => {
        if (name.toLowerCase() === 'activate-storage-access') {
          entry.activate = world.stripActivateHeader ? `(dropped) ${String(value)}` : String(value);
          if (world.stripActivateHeader) return res;
        }
        return setHeader(name, value);
      }) as ServerResponse['setHeader'];
      res.on('finish', () => {
        entry.status = res.statusCode;
      });
      return handler(req, res);
    };
}

export async function startWorld(): Promise<World> {
  const site = staticSite({ pages: { '/harness.html': harness, '/callback': '<!doctype html><title>callback</title>' } });
  const appA = await listenOnLoopback('app-a.localhost', site);
  const appB = await listenOnLoopback('app-b.localhost', site);
  const state: Pick<World, 'requests' | 'stripActivateHeader'> = { requests: [], stripActivateHeader: false };
  let idp: DevIdp | undefined;
  try {
    idp = await createDevIdp({
      hostname: 'idp.localhost',
      clockToleranceSeconds: 0,
      introspection: true,
      storageAccess: true,
      clients: [
        { clientId: 'site-a', redirectUris: [`${appA.origin}/callback`], webOrigins: [appA.origin] },
        { clientId: 'site-b', redirectUris: [`${appB.origin}/callback`], webOrigins: [appB.origin] },
      ],
      faults: recorded(state),
    });
    const browser = await launchChromium({ thirdPartyCookies: false });
    const opened = idp;
    return Object.assign(state, {
      idp: opened,
      appA,
      appB,
      browser,
      async close() {
        await browser.close();
        await opened.close();
        await appA.close();
        await appB.close();
      },
    });
  } catch (error) {
    await idp?.close();
    await appA.close();
    await appB.close();
    throw error;
  }
}
