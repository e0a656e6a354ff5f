import type { IncomingMessage } from 'node:http';
import type { InteractionDetails, KoaContext, KoaMiddleware, Provider } from 'oidc-provider';
import type { DevUser, ResolvedConfig } from './config.js';
import type { SessionClock } from './sessions.js';
import type { Store } from './storage.js';
import { errorPage, loginPage, WRONG_PASSWORD } from './views.js';

async function readForm(req: IncomingMessage, limit = 64 * 1024): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) throw new Error('request body too large');
    chunks.push(buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

export interface RouteParts {
  provider: Provider;
  config: ResolvedConfig;
  store: Store;
  clock: SessionClock;
}

/** Ends a session and everything issued under it: the grants of every client it signed in to. */
export function endSessionAndGrants(store: Store, sessionUid: string): boolean {
  const entry = store.find('Session', (payload) => payload.uid === sessionUid);
  if (!entry) return false;
  revokeGrantsOf(store, entry.payload.authorizations);
  store.delete('Session', entry.id);
  return true;
}

function revokeGrantsOf(store: Store, authorizations: Record<string, { grantId?: string }> | undefined): void {
  for (const { grantId } of Object.values(authorizations ?? {})) {
    if (grantId) store.revokeGrant(grantId);
  }
}

function findUser(users: DevUser[], login: string): DevUser | undefined {
  const wanted = login.trim().toLowerCase();
  return users.find((user) => user.email.toLowerCase() === wanted || user.sub.toLowerCase() === wanted);
}

/** The login page and its form post, replacing oidc-provider's development interactions. */
export function interactionRoutes({ provider, config }: RouteParts): KoaMiddleware {
  const pattern = /^\/interaction\/([\w-]+)(\/login)?$/;

  async function clientName(details: InteractionDetails): Promise<string> {
    const clientId = String(details.params.client_id ?? '');
    const client = await provider.Client.find(clientId);
    return client?.clientName ?? clientId;
  }

  async function finishConsent(ctx: KoaContext, details: InteractionDetails): Promise<void> {
    // loadExistingGrant normally grants first-party clients everything up front; this is the
    // fallback if oidc-provider still asks, so the user never sees a consent screen.
    const accountId = details.session?.accountId;
    if (!accountId) throw new Error('consent without a signed-in user');
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId, clientId: String(details.params.client_id) });
    if (!grant) throw new Error('grant not found');
    const missingOIDC = details.prompt.details.missingOIDCScope;
    if (Array.isArray(missingOIDC)) grant.addOIDCScope(missingOIDC.join(' '));
    const missingResource = details.prompt.details.missingResourceScopes;
    if (missingResource && typeof missingResource === 'object') {
      for (const [resource, scopes] of Object.entries(missingResource)) {
        if (Array.isArray(scopes)) grant.addResourceScope(resource, scopes.join(' '));
      }
    }
    const grantId = await grant.save();
    const location = await provider.interactionResult(
      ctx.req,
      ctx.res,
      { consent: { grantId } },
      { mergeWithLastSubmission: true },
    );
    ctx.status = 303;
    ctx.redirect(location);
  }

  return async (ctx, next) => {
    const match = pattern.exec(ctx.path);
    if (!match) return next();
    const [, uid, login] = match;
    ctx.set('cache-control', 'no-store');
    try {
      const details = await provider.interactionDetails(ctx.req, ctx.res);
      if (details.uid !== uid) throw new Error('interaction mismatch');
      if (ctx.method === 'GET' && !login) {
        if (details.prompt.name !== 'login') return await finishConsent(ctx, details);
        ctx.type = 'html';
        ctx.body = loginPage({
          action: `/interaction/${details.uid}/login`,
          clientName: await clientName(details),
          users: config.users,
          login: typeof details.params.login_hint === 'string' ? details.params.login_hint : undefined,
        });
        return;
      }
      if (ctx.method === 'POST' && login) {
        const form = await readForm(ctx.req);
        const typed = form.get('login') ?? '';
        const user = findUser(config.users, typed);
        if (!user || user.password !== (form.get('password') ?? '')) {
          ctx.status = 200;
          ctx.type = 'html';
          ctx.body = loginPage({
            action: `/interaction/${details.uid}/login`,
            clientName: await clientName(details),
            users: config.users,
            login: typed,
            error: WRONG_PASSWORD,
          });
          return;
        }
        const location = await provider.interactionResult(
          ctx.req,
          ctx.res,
          { login: { accountId: user.sub, amr: ['pwd'] } },
          { mergeWithLastSubmission: false },
        );
        ctx.status = 303;
        ctx.redirect(location);
        return;
      }
      ctx.status = 405;
      ctx.body = 'method not allowed';
    } catch (error) {
      ctx.status = 400;
      ctx.type = 'html';
      ctx.body = errorPage({
        error: 'invalid_request',
        error_description: 'This sign-in request is no longer valid. Go back to the application and start again.',
        detail: error instanceof Error ? error.message : String(error),
      });
    }
  };
}

/** Auth0's `/v2/logout?returnTo=&client_id=`, redirected to RP-initiated logout. */
export function auth0LogoutRoute({ config }: RouteParts): KoaMiddleware {
  return async (ctx, next) => {
    if (ctx.path !== '/v2/logout' || ctx.method !== 'GET') return next();
    const url = new URL(ctx.url, 'http://x');
    const returnTo = url.searchParams.get('returnTo') ?? undefined;
    let clientId = url.searchParams.get('client_id') ?? undefined;
    // Auth0 accepts returnTo without client_id when the URL is allowed somewhere: use the
    // client that registered it, so the logout is identified and needs no confirmation.
    if (!clientId && returnTo) {
      clientId = config.clients.find((client) => client.postLogoutRedirectUris.includes(returnTo))?.clientId;
    }
    const target = new URLSearchParams();
    if (clientId) target.set('client_id', clientId);
    if (returnTo) target.set('post_logout_redirect_uri', returnTo);
    ctx.set('cache-control', 'no-store');
    ctx.status = 302;
    ctx.redirect(`/oidc/logout${target.size ? `?${target}` : ''}`);
  };
}

/** `GET /dev/sessions`, `DELETE /dev/sessions/:id`: dev-only introspection of live SSO sessions. */
export function devSessionRoutes({ config, store, clock }: RouteParts): KoaMiddleware {
  const origins = new Set(config.clients.flatMap((client) => client.webOrigins));
  return async (ctx, next) => {
    if (!config.introspection || !(ctx.path === '/dev/sessions' || ctx.path.startsWith('/dev/sessions/'))) return next();
    const origin = ctx.get('origin');
    if (origin && origins.has(origin)) {
      ctx.set('access-control-allow-origin', origin);
      ctx.set('vary', 'Origin');
    }
    ctx.set('cache-control', 'no-store');
    if (ctx.method === 'OPTIONS') {
      if (origin && origins.has(origin)) {
        ctx.set('access-control-allow-methods', 'GET, DELETE');
        ctx.set('access-control-max-age', '600');
      }
      ctx.status = 204;
      return;
    }
    const id = ctx.path.slice('/dev/sessions/'.length);
    if (ctx.path === '/dev/sessions' && ctx.method === 'GET') {
      ctx.body = clock.list();
      return;
    }
    if (id && ctx.method === 'DELETE') {
      ctx.status = endSessionAndGrants(store, decodeURIComponent(id)) ? 204 : 404;
      return;
    }
    ctx.status = 405;
  };
}

/**
 * Behaviour layered on oidc-provider's own routes, after they ran:
 * - logout ends every grant the session holds, offline ones included (oidc-provider keeps
 *   grants that issued refresh tokens alive past logout, which is not what this IdP promises);
 * - with `refreshExtendsSession`, a successful refresh slides the SSO session it came from;
 * - a token response for an API lists the OpenID scopes granted with it as well as the API's,
 *   as Auth0 does, rather than only the access token's API scopes.
 */
export function afterProviderRoutes({ provider, config, store, clock }: RouteParts): KoaMiddleware {
  return async (ctx, next) => {
    await next();
    const oidc = ctx.oidc;
    if (!oidc) return;
    if (oidc.route === 'end_session_confirm' && oidc.session.destroyed) {
      revokeGrantsOf(store, oidc.session.authorizations);
      return;
    }
    if (oidc.route === 'token' && ctx.status === 200) reportGrantedScopes(ctx);
    if (
      config.refreshExtendsSession &&
      oidc.route === 'token' &&
      oidc.params.grant_type === 'refresh_token' &&
      ctx.status === 200
    ) {
      const token = oidc.entities.RefreshToken as { sessionUid?: string } | undefined;
      const session = token?.sessionUid ? await provider.Session.findByUid(token.sessionUid) : undefined;
      if (session?.accountId) await session.save(clock.ttl(session));
    }
  };
}

const openidScopes = new Set(['openid', 'profile', 'email', 'offline_access']);

function reportGrantedScopes(ctx: KoaContext): void {
  const oidc = ctx.oidc;
  const body = ctx.body as { scope?: string } | undefined;
  if (!oidc || !body || typeof body !== 'object') return;
  const accessToken = oidc.entities.AccessToken as { resourceServer?: unknown; scope?: string } | undefined;
  if (!accessToken?.resourceServer) return;
  const source = (oidc.entities.RefreshToken ?? oidc.entities.AuthorizationCode) as { scope?: string } | undefined;
  const requested = typeof oidc.params.scope === 'string' ? new Set(oidc.params.scope.split(' ')) : undefined;
  const granted = (source?.scope ?? '')
    .split(' ')
    .filter((scope) => openidScopes.has(scope) && (!requested || requested.has(scope)));
  const scope = [...new Set([...granted, ...(accessToken.scope ?? '').split(' ')])].filter(Boolean).join(' ');
  if (scope) body.scope = scope;
  else delete body.scope;
}
