import type { Session } from 'oidc-provider';
import type { KoaContext, KoaMiddleware } from '../oidc-types.js';
import { oidcScopes } from '../paths.js';
import { revokeGrantsOf } from './grants.js';
import type { RouteParts } from './parts.js';

/**
 * Behaviour layered on oidc-provider's own routes, after they ran:
 * - logout ends every grant the session holds, offline ones included (oidc-provider keeps
 *   grants that issued refresh tokens alive past logout, which is not what this IdP promises
 *   unless the `refreshSurvivesLogout` behaviour asks for exactly that);
 * - with `refreshExtendsSession`, a successful refresh slides the SSO session it came from;
 * - a token response for an API lists the OpenID scopes granted with it as well as the API's,
 *   as Auth0 does, rather than only the access token's API scopes.
 */
export function afterProviderRoutes({ provider, config, store, clock }: RouteParts): KoaMiddleware {
  return async (ctx, next) => {
    await next();
    const oidc = ctx.oidc;
    if (!oidc) return;
    if (oidc.route === 'end_session_confirm' && isDestroyed(oidc.session)) {
      if (!config.behaviour.refreshSurvivesLogout) revokeGrantsOf(store, oidc.session?.authorizations);
      return;
    }
    if (oidc.route === 'token' && ctx.status === 200) reportGrantedScopes(ctx);
    if (
      config.refreshExtendsSession &&
      oidc.route === 'token' &&
      oidc.params?.grant_type === 'refresh_token' &&
      ctx.status === 200
    ) {
      const token = oidc.entities.RefreshToken;
      const session = token?.sessionUid ? await provider.Session.findByUid(token.sessionUid) : undefined;
      if (session?.accountId) await session.save(clock.ttl(session));
    }
  };
}

/** Set by `Session#destroy()` (oidc-provider's lib/models/session.js), which @types/oidc-provider leaves out. */
function isDestroyed(session: Session | undefined): boolean {
  return session !== undefined && 'destroyed' in session && session.destroyed === true;
}

const openidScopes = new Set<string>(oidcScopes);

function reportGrantedScopes(ctx: KoaContext): void {
  const oidc = ctx.oidc;
  const body = ctx.body as { scope?: string } | undefined;
  if (!oidc || !body || typeof body !== 'object') return;
  const accessToken = oidc.entities.AccessToken;
  if (!accessToken?.resourceServer) return;
  const source = oidc.entities.RefreshToken ?? oidc.entities.AuthorizationCode;
  const requestedScope = oidc.params?.scope;
  const requested = typeof requestedScope === 'string' ? new Set(requestedScope.split(' ')) : undefined;
  const granted = (source?.scope ?? '')
    .split(' ')
    .filter((scope) => openidScopes.has(scope) && (!requested || requested.has(scope)));
  const scope = [...new Set([...granted, ...(accessToken.scope ?? '').split(' ')])].filter(Boolean).join(' ');
  if (scope) body.scope = scope;
  else delete body.scope;
}
