// oidc-provider's `features`: which endpoints and protocol extensions the IdP offers.
import type { AccessToken, Client, ClientCredentials, Configuration, RefreshToken } from 'oidc-provider';
import type { ResolvedConfig } from '../config.js';
import { dpopFeature, logoutFeature, webMessageFeature } from './behaviour-hooks.js';
import { resourceIndicatorsFor } from './resources.js';

type Features = NonNullable<Configuration['features']>;

/**
 * `features.revocation.allowedPolicy`: a client revokes only tokens issued to it. Every client
 * here is public, so the `client_id` it sends is all that names the caller; another client's
 * token is left alone, and the answer is the 200 that RFC 7009 gives for an invalid token, so
 * the endpoint does not tell whose token it was.
 */
function revokesOwnTokensOnly(_ctx: unknown, client: Client, token: AccessToken | ClientCredentials | RefreshToken): boolean {
  return token.clientId === client.clientId;
}

export function featuresFor(config: ResolvedConfig, issuer: string, dpopNonceSecret: Buffer): Features {
  const { behaviour } = config;
  return {
    // The login page is this IdP's own (routes/interactions.ts).
    devInteractions: { enabled: false },
    pushedAuthorizationRequests: { enabled: false },
    revocation: { enabled: true, allowedPolicy: revokesOwnTokensOnly },
    userinfo: { enabled: true },
    webMessageResponseMode: webMessageFeature(behaviour),
    dPoP: dpopFeature(behaviour, dpopNonceSecret),
    rpInitiatedLogout: logoutFeature(behaviour, issuer),
    resourceIndicators: resourceIndicatorsFor(config),
  };
}
