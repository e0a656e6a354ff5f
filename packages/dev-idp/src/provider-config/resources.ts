// APIs (resource servers): which one an authorization is for, and the JWT access tokens for it.
import { type Configuration, errors } from 'oidc-provider';
import type { ResolvedConfig } from '../config.js';
import { accessTokenLifetime } from './lifetimes.js';
import { apisByIdentifier } from './lookups.js';

type Features = NonNullable<Configuration['features']>;

/**
 * `features.resourceIndicators` (RFC 8707), with Auth0's `audience` parameter standing in for
 * `resource` (see grants.ts); an unknown API is refused with `invalid_target`.
 */
export function resourceIndicatorsFor(config: ResolvedConfig): Features['resourceIndicators'] {
  const apis = apisByIdentifier(config);
  const accessTokenSeconds = accessTokenLifetime(config);
  return {
    enabled: true,
    defaultResource(ctx, _client, oneOf) {
      if (oneOf) return oneOf[0];
      const audience = ctx.oidc?.params?.audience;
      return typeof audience === 'string' && audience ? audience : undefined;
    },
    // The code exchange and refresh answer with the API token the authorization asked for.
    useGrantedResource: () => true,
    getResourceServerInfo(_ctx, resource, client?) {
      const api = apis.get(resource);
      if (!api) throw new errors.InvalidTarget(`unknown resource ${resource}`);
      return {
        scope: (api.scopes ?? []).join(' '),
        audience: api.identifier,
        accessTokenTTL: accessTokenSeconds(api, client),
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'RS256' } },
      };
    },
  };
}
