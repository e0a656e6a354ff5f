// oidc-provider's `features`: which endpoints and protocol extensions the IdP offers.
import type { Configuration } from 'oidc-provider';
import type { ResolvedConfig } from '../config.js';
import { dpopFeature, logoutFeature, webMessageFeature } from './behaviour-hooks.js';
import { resourceIndicatorsFor } from './resources.js';

type Features = NonNullable<Configuration['features']>;

export function featuresFor(config: ResolvedConfig, issuer: string, dpopNonceSecret: Buffer): Features {
  const { behaviour } = config;
  return {
    // The login page is this IdP's own (routes/interactions.ts).
    devInteractions: { enabled: false },
    pushedAuthorizationRequests: { enabled: false },
    revocation: { enabled: true },
    userinfo: { enabled: true },
    webMessageResponseMode: webMessageFeature(behaviour),
    dPoP: dpopFeature(behaviour, dpopNonceSecret),
    rpInitiatedLogout: logoutFeature(behaviour, issuer),
    resourceIndicators: resourceIndicatorsFor(config),
  };
}
