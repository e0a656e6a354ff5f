// How long everything the IdP issues lives (oidc-provider's `ttl`): per API, per client or
// global for tokens; the SSO session clock for sessions and the refresh tokens bound to them.
import type { Client, Configuration, KoaContextWithOIDC, RefreshToken } from 'oidc-provider';
import type { DevApi, ResolvedConfig } from '../config.js';
import type { SessionClock } from '../sessions.js';
import { apisByIdentifier, clientsById } from './lookups.js';

type AccessTokenLifetime = (api: DevApi | undefined, client: Client | undefined) => number;

/** An API owns its tokens' lifetime; otherwise the client's, otherwise the global one. */
export function accessTokenLifetime(config: ResolvedConfig): AccessTokenLifetime {
  const clients = clientsById(config);
  return (api, client) =>
    api?.accessTokenSeconds ?? (client && clients.get(client.clientId)?.accessTokenSeconds) ?? config.accessTokenSeconds;
}

/** Fixed at first issue (`refreshTokenSeconds`, or until the session's absolute cap), never extended. */
function refreshTokenLifetime(config: ResolvedConfig, clock: SessionClock) {
  return (ctx: KoaContextWithOIDC, token: RefreshToken): number => {
    // A rotated token inherits what is left of its predecessor: rotation never extends the chain.
    const rotated = ctx?.oidc?.entities.RotatedRefreshToken;
    if (rotated) return Math.max(1, rotated.remainingTTL);
    return config.refreshTokenSeconds ?? clock.remainingAbsolute(token.authTime);
  };
}

export function lifetimes(config: ResolvedConfig, clock: SessionClock): Configuration['ttl'] {
  const apis = apisByIdentifier(config);
  const clients = clientsById(config);
  const accessTokenSeconds = accessTokenLifetime(config);
  return {
    AccessToken: (_ctx, token, client?: Client) =>
      accessTokenSeconds(token.resourceServer ? apis.get(token.resourceServer.identifier()) : undefined, client),
    AuthorizationCode: 60,
    IdToken: (_ctx, _token, client?: Client) => (client && clients.get(client.clientId)?.idTokenSeconds) ?? config.idTokenSeconds,
    Interaction: 3600,
    // A grant outlives every session and refresh token issued under it.
    Grant: Math.max(config.sessionAbsoluteSeconds, config.refreshTokenSeconds ?? 0),
    // The sliding idle timeout, capped by the absolute deadline (see SessionClock).
    Session: (_ctx, session) => clock.ttl(session),
    RefreshToken: refreshTokenLifetime(config, clock),
  };
}
