import Provider, { type Configuration, type JWK } from 'oidc-provider';
import type { ResolvedConfig } from './config.js';
import { providerCookies } from './cookies.js';
import { routes } from './paths.js';
import { accountSettings } from './provider-config/accounts.js';
import { clientSettings } from './provider-config/clients.js';
import { featuresFor } from './provider-config/features.js';
import { grantSettings } from './provider-config/grants.js';
import { lifetimes } from './provider-config/lifetimes.js';
import { pageSettings } from './provider-config/pages.js';
import type { SessionClock } from './sessions.js';
import type { Store } from './storage.js';

export interface ProviderParts {
  config: ResolvedConfig;
  issuer: string;
  store: Store;
  clock: SessionClock;
  /** The RS256 private JWK that signs ID tokens and JWT access tokens. */
  signingKey: JWK;
  cookieKeys: string[];
  /** 32 bytes from which DPoP nonces are made (used with the `dpopNonce` behaviour). */
  dpopNonceSecret: Buffer;
}

/**
 * The whole oidc-provider configuration, one part per concern (provider-config/); the parts
 * that depend on the provider behaviour flags get them from provider-config/behaviour-hooks.ts.
 */
function providerConfiguration(parts: ProviderParts): Configuration {
  const { config, issuer, store, clock } = parts;
  return {
    adapter: store.adapterFactory(),
    jwks: { keys: [parts.signingKey] },
    cookies: providerCookies(issuer, parts.cookieKeys),
    routes,
    clockTolerance: config.clockToleranceSeconds,
    ...clientSettings(config.clients),
    ...accountSettings(config),
    ...grantSettings(config),
    ttl: lifetimes(config, clock),
    features: featuresFor(config, issuer, parts.dpopNonceSecret),
    ...pageSettings(config.behaviour),
  };
}

/** Builds the oidc-provider instance with this IdP's policy. Routes and middleware are added by the caller. */
export function buildProvider(parts: ProviderParts): Provider {
  return new Provider(parts.issuer, providerConfiguration(parts));
}
