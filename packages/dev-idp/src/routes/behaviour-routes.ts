import type { ProviderBehaviour } from '../behaviour.js';
import type { ResolvedConfig } from '../config.js';
import type { KoaContext, KoaMiddleware } from '../oidc-types.js';
import { routes } from '../paths.js';
import { loginPage } from '../views.js';
import type { RouteParts } from './parts.js';

const authorizationRoutes = new Set(['authorization', 'resume']);

/**
 * The provider behaviours oidc-provider has no setting for, applied around its routes: what a
 * request looks like before it runs (`framedLoginPage`, `corsWildcard`) and what its answer
 * looks like after (`issParameter`, `refreshIdToken`, `emptyTokenErrors`), plus the 200 status
 * of answers posted by `web_message`.
 */
export function behaviourRoutes({ config, provider }: RouteParts): KoaMiddleware {
  const { behaviour } = config;
  return async (ctx, next) => {
    const promptNoneIgnored = behaviour.framedLoginPage && ignorePromptNone(ctx);
    if (behaviour.corsWildcard && ctx.path === routes.token && answerWildcardCors(ctx)) return;
    await next();
    if (promptNoneIgnored) renderLoginPageInPlace(ctx, config);
    const route = ctx.oidc?.route;
    if (route === 'token') adjustTokenResponse(ctx, behaviour);
    if (route && authorizationRoutes.has(route)) {
      if (!behaviour.issParameter) removeIssParameter(ctx, provider.issuer);
      webMessageAnswersOk(ctx);
    }
    if (route === 'discovery' && !behaviour.issParameter) {
      const body = ctx.body as Record<string, unknown> | undefined;
      if (body && typeof body === 'object') delete body.authorization_response_iss_parameter_supported;
    }
  };
}

/**
 * `framedLoginPage`: the authorization endpoint acts as if `prompt=none` had not been sent, so
 * without a session the frame is sent to the login page, which refuses to be framed.
 */
function ignorePromptNone(ctx: KoaContext): boolean {
  if (ctx.path !== routes.authorization || ctx.method !== 'GET' || ctx.query.prompt !== 'none') return false;
  const query = new URLSearchParams(ctx.querystring);
  query.delete('prompt');
  ctx.querystring = query.toString();
  return true;
}

/**
 * `framedLoginPage`: the signed-out silent request gets the login page itself (200), as from a
 * provider whose authorization endpoint renders it, rather than oidc-provider's redirect to
 * `/interaction/:uid`: in a cross-site frame the browser would not send the interaction cookie
 * (SameSite=Lax) there, and the frame would get an error page instead. The page refuses to be
 * framed; its form posts to the interaction, whose cookie this response sets.
 */
function renderLoginPageInPlace(ctx: KoaContext, config: ResolvedConfig): void {
  const location = ctx.response.get('location');
  const interaction = location && /^\/interaction\/[\w-]+$/.exec(new URL(location, 'http://x').pathname)?.[0];
  if (ctx.status !== 303 || !interaction) return;
  const clientId = String(ctx.query.client_id ?? '');
  ctx.response.remove('location');
  ctx.status = 200;
  ctx.type = 'html';
  ctx.set('cache-control', 'no-store');
  ctx.set('x-frame-options', 'DENY');
  ctx.set('content-security-policy', "frame-ancestors 'none'");
  ctx.body = loginPage({
    action: `${interaction}/login`,
    clientName: config.clients.find((client) => client.clientId === clientId)?.name ?? clientId,
    users: config.users,
  });
}

/**
 * `corsWildcard`: `Access-Control-Allow-Origin: *` for any origin on the token endpoint. Set
 * before oidc-provider's CORS middleware runs, which then leaves the response alone (and skips
 * its registered-origin check). Returns true when it answered a preflight itself.
 */
function answerWildcardCors(ctx: KoaContext): boolean {
  ctx.set('access-control-allow-origin', '*');
  if (ctx.method !== 'OPTIONS' || !ctx.get('access-control-request-method')) {
    // oidc-provider's CORS middleware steps aside here, so its exposed headers are set here:
    // scripts must read a DPoP nonce challenge (and its WWW-Authenticate) like any other answer.
    ctx.set('access-control-expose-headers', 'DPoP-Nonce, WWW-Authenticate');
    return false;
  }
  ctx.set('access-control-allow-methods', 'POST');
  const headers = ctx.get('access-control-request-headers');
  if (headers) ctx.set('access-control-allow-headers', headers);
  ctx.set('access-control-max-age', '3600');
  ctx.status = 204;
  return true;
}

function adjustTokenResponse(ctx: KoaContext, behaviour: ProviderBehaviour): void {
  // RFC 9449 has the client retry on `use_dpop_nonce` in the body; a provider that hands out
  // nonces says so even when its other errors are terse.
  const nonceChallenge = (ctx.body as { error?: unknown } | undefined)?.error === 'use_dpop_nonce';
  if (behaviour.emptyTokenErrors && ctx.status >= 400 && ctx.status < 500 && !nonceChallenge) {
    ctx.status = 400;
    ctx.body = '';
    ctx.response.remove('content-type');
    return;
  }
  const body = ctx.body as { id_token?: string } | undefined;
  if (!behaviour.refreshIdToken && ctx.status === 200 && ctx.oidc?.params?.grant_type === 'refresh_token' && body) {
    delete body.id_token;
  }
}

/**
 * `issParameter: false`: oidc-provider always adds RFC 9207 `iss` to authorization responses,
 * so it is taken out of what the response mode produced: the redirect's query or fragment, or
 * the page that posts (web_message) or submits (form_post) the response.
 */
function removeIssParameter(ctx: KoaContext, issuer: string): void {
  const location = ctx.response.get('location');
  if (location && ctx.status >= 300 && ctx.status < 400) {
    const url = new URL(location, issuer);
    if (url.origin === new URL(issuer).origin) return;
    url.searchParams.delete('iss');
    if (url.hash) {
      const fragment = new URLSearchParams(url.hash.slice(1));
      fragment.delete('iss');
      url.hash = fragment.toString();
    }
    ctx.set('location', url.href);
    return;
  }
  if (typeof ctx.body === 'string' && !ctx.state.errorPage) {
    ctx.body = ctx.body
      .replace(`,"iss":${JSON.stringify(issuer)}`, '')
      .replace(/<input type="hidden" name="iss" value="[^"]*"\/>\n?/, '');
  }
}

/**
 * oidc-provider sends an error posted by `web_message` (such as `login_required`) with status
 * 400, which every signed-out page load would show as a failed request in the console. The
 * page is an answer the application asked for, so it is a 200. Error pages the application
 * never receives (an unknown client, a redirect URI that is not registered) keep their 400.
 */
function webMessageAnswersOk(ctx: KoaContext): void {
  const mode = ctx.oidc?.params?.response_mode ?? ctx.query.response_mode;
  if (mode === 'web_message' && ctx.status === 400 && !ctx.state.errorPage) ctx.status = 200;
}
