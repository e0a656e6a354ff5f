import type { KoaMiddleware } from '../oidc-types.js';
import type { RouteParts } from './parts.js';

/** Auth0's `/v2/logout?returnTo=&client_id=`, redirected to RP-initiated logout. */
export function auth0LogoutRoute({ config }: RouteParts): KoaMiddleware {
  return async (ctx, next) => {
    // Without an end-session endpoint there is no logout at all: the route is not found.
    if (ctx.path !== '/v2/logout' || ctx.method !== 'GET' || !config.behaviour.endSessionEndpoint) return next();
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
