import type { KoaMiddleware } from '../oidc-types.js';
import { endSessionAndGrants } from './grants.js';
import type { RouteParts } from './parts.js';

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
