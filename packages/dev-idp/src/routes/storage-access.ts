import { randomBytes } from 'node:crypto';
import type { ResolvedClient, ResolvedConfig } from '../config.js';
import type { KoaContext, KoaMiddleware } from '../oidc-types.js';
import { routes } from '../paths.js';
import { silentStorageAccessPage, storageAccessButtonPage } from '../storage-access-pages.js';
import { errorPage } from '../views.js';
import type { RouteParts } from './parts.js';

/** The provider's "Stay signed in" page, for a visible frame in the application. */
export const STORAGE_ACCESS_PATH = '/storage-access';

/**
 * Marks the authorization request the silent page sends back once it has done what it could:
 * answer it as usual. Removed before oidc-provider sees the request.
 */
export const ANSWER_MARK = 'sso_storage_access';

/**
 * The Storage Access API opt-in (`storageAccess: true`). Where the browser blocks third-party
 * cookies, a `prompt=none` request from a cross-site frame arrives without the session
 * cookie, so the provider cannot tell "signed out" from "cookie withheld". With this opt-in:
 *
 * - `Sec-Fetch-Storage-Access: inactive` (Chromium: a grant exists but is not in use) is
 *   answered with `Activate-Storage-Access: retry; allowed-origin="<redirect URI origin>"`, and
 *   the browser sends the same request again with the cookie: no page, no script.
 * - Otherwise (no grant, or a browser without the headers) the frame gets a small page that
 *   uses a grant if there is one (`requestStorageAccess()` needs no gesture then) and runs the
 *   request again, or tells the application `storage_access_required` and answers as usual.
 * - `GET /storage-access?client_id=…&redirect_uri=…` is the provider's "Stay signed in"
 *   button, framable by the client's web origins, which asks for access on a click.
 * - Discovery lists that page as `storage_access_endpoint` (not a standard field).
 *
 * A request with the session cookie, a top-level or same-site one, and one whose client and
 * redirect URI do not match exactly, go to oidc-provider untouched.
 */
export function storageAccessRoutes({ config, provider }: RouteParts): KoaMiddleware {
  if (!config.storageAccess) return (_ctx, next) => next();
  return async (ctx, next) => {
    if (ctx.method === 'GET' && ctx.path === STORAGE_ACCESS_PATH) return buttonPage(ctx, config, provider.issuer);
    if (ctx.method === 'GET' && ctx.path === routes.authorization && answeredWithSilentPage(ctx, config)) return;
    await next();
    if (ctx.oidc?.route === 'discovery' && ctx.body && typeof ctx.body === 'object') {
      (ctx.body as Record<string, unknown>).storage_access_endpoint =
        `${provider.issuer.replace(/\/$/, '')}${STORAGE_ACCESS_PATH}`;
    }
  };
}

interface Target {
  client: ResolvedClient;
  /** The origin of the registered redirect URI: where the application's page is. */
  origin: string;
}

function registeredTarget(config: ResolvedConfig, clientId: string | null, redirectUri: string | null): Target | undefined {
  const client = config.clients.find((candidate) => candidate.clientId === clientId);
  if (!client || !redirectUri || !client.redirectUris.includes(redirectUri)) return undefined;
  return { client, origin: new URL(redirectUri).origin };
}

function inCrossSiteFrame(ctx: KoaContext): boolean {
  return ctx.get('sec-fetch-dest') === 'iframe' && ctx.get('sec-fetch-site') === 'cross-site';
}

/** oidc-provider's session cookie (its default name). */
function hasSessionCookie(ctx: KoaContext): boolean {
  return /(?:^|;\s*)_session=/.test(ctx.get('cookie'));
}

/** Scripts by nonce only; framable by the client's web origins and the redirect URI's origin. */
function pageHeaders(ctx: KoaContext, target: Target, nonce: string): void {
  const ancestors = [...new Set([...target.client.webOrigins, target.origin])].join(' ');
  ctx.status = 200;
  ctx.type = 'html';
  ctx.set('cache-control', 'no-store');
  ctx.set(
    'content-security-policy',
    `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors ${ancestors}`,
  );
}

/** Answers a silent request that came without the session cookie from a cross-site frame. */
function answeredWithSilentPage(ctx: KoaContext, config: ResolvedConfig): boolean {
  const query = new URLSearchParams(ctx.querystring);
  if (query.has(ANSWER_MARK)) {
    query.delete(ANSWER_MARK);
    ctx.querystring = query.toString();
    return false;
  }
  const access = ctx.get('sec-fetch-storage-access');
  if (query.get('prompt') !== 'none' || !inCrossSiteFrame(ctx) || hasSessionCookie(ctx) || access === 'active') return false;
  const target = registeredTarget(config, query.get('client_id'), query.get('redirect_uri'));
  if (!target) return false;
  const nonce = randomBytes(16).toString('base64url');
  pageHeaders(ctx, target, nonce);
  // A grant exists but this request did not use it: the browser retries with the cookie when
  // the frame's initiator is this origin; if it does not, the page below does the same by script.
  if (access === 'inactive') ctx.set('activate-storage-access', `retry; allowed-origin="${target.origin}"`);
  query.set(ANSWER_MARK, '1');
  ctx.body = silentStorageAccessPage({
    answerUrl: `${ctx.path}?${query}`,
    targetOrigin: target.origin,
    state: query.get('state') ?? '',
    nonce,
  });
  return true;
}

function buttonPage(ctx: KoaContext, config: ResolvedConfig, issuer: string): void {
  const query = new URLSearchParams(ctx.querystring);
  const target = registeredTarget(config, query.get('client_id'), query.get('redirect_uri'));
  if (!target) {
    ctx.status = 400;
    ctx.type = 'html';
    ctx.body = errorPage({ error: 'invalid_request', error_description: 'unknown client_id or unregistered redirect_uri' });
    return;
  }
  const nonce = randomBytes(16).toString('base64url');
  pageHeaders(ctx, target, nonce);
  ctx.body = storageAccessButtonPage({
    clientName: target.client.name,
    idpHost: new URL(issuer).host,
    targetOrigin: target.origin,
    nonce,
  });
}
