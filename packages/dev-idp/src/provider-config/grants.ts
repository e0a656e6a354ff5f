// What an authorization grants: first-party clients get what they ask for without a consent
// screen, including `offline_access`, and Auth0's `audience` picks the API.
import { type Client, type Configuration, errors, type Grant, type KoaContextWithOIDC } from 'oidc-provider';
import type { ProviderBehaviour } from '../behaviour.js';
import type { DevApi, ResolvedConfig } from '../config.js';
import { issueRefreshTokenFor } from './behaviour-hooks.js';
import { apisByIdentifier } from './lookups.js';

type GrantSettings = Pick<Configuration, 'extraParams' | 'loadExistingGrant' | 'issueRefreshToken' | 'rotateRefreshToken'>;
type OidcContext = KoaContextWithOIDC['oidc'];

function scopeSet(value: unknown): Set<string> {
  return new Set(typeof value === 'string' ? value.split(' ').filter(Boolean) : []);
}

/** The raw `scope` of the authorization request, before oidc-provider filters it. */
function rawScope(ctx: KoaContextWithOIDC): Set<string> {
  const body = ctx.method === 'POST' ? ctx.oidc?.body : undefined;
  return scopeSet(body ? body.scope : ctx.query.scope);
}

/**
 * The `audience` parameter (Auth0 style) is the same thing as RFC 8707 `resource`. Its
 * validator also runs after oidc-provider's scope check, which is the place to undo that
 * check's removal of `offline_access` (it keeps it only with `prompt=consent`): the clients
 * here are first-party, so asking for `offline_access` is enough to get a refresh token.
 */
function audienceParameter(apis: Map<string, DevApi>, behaviour: ProviderBehaviour) {
  return (ctx: KoaContextWithOIDC, value: unknown): void => {
    const oidc = ctx.oidc;
    if (!oidc?.client || !oidc.params) return;
    if (value !== undefined && (typeof value !== 'string' || !apis.has(value))) {
      throw new errors.InvalidTarget(`unknown audience ${String(value)}`);
    }
    const grantsOfflineAccess = !behaviour.refreshTokensWithoutOfflineAccess;
    if (grantsOfflineAccess && rawScope(ctx).has('offline_access') && oidc.client.grantTypeAllowed('refresh_token')) {
      const scopes = scopeSet(oidc.params.scope);
      if (!scopes.has('offline_access')) oidc.params.scope = [...scopes, 'offline_access'].join(' ');
    }
  };
}

/** The grant this client already holds for the signed-in account, if any. */
async function grantOfAccount(oidc: OidcContext, client: Client, accountId: string): Promise<Grant | undefined> {
  const grantId = oidc.result?.consent?.grantId ?? oidc.session?.grantIdFor(client.clientId);
  const grant = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
  return grant?.accountId === accountId && grant.clientId === client.clientId ? grant : undefined;
}

/**
 * `loadExistingGrant`: first-party clients never see a consent screen: the grant is extended
 * to whatever the request asks for, so `prompt=none` never answers `consent_required`.
 */
async function grantEverythingAsked(ctx: KoaContextWithOIDC, apis: Map<string, DevApi>): Promise<Grant | undefined> {
  const { oidc } = ctx;
  const accountId = oidc?.session?.accountId;
  if (!oidc?.client || !accountId) return undefined;
  const clientId = oidc.client.clientId;
  const grant = (await grantOfAccount(oidc, oidc.client, accountId)) ?? new oidc.provider.Grant({ accountId, clientId });
  const scopes = [...oidc.requestParamOIDCScopes];
  if (scopes.length) grant.addOIDCScope(scopes.join(' '));
  const requested = oidc.requestParamScopes;
  for (const resource of Object.keys(oidc.resourceServers ?? {})) {
    const allowed = apis.get(resource)?.scopes ?? [];
    grant.addResourceScope(resource, allowed.filter((scope) => requested.has(scope)).join(' '));
  }
  await grant.save();
  return grant;
}

export function grantSettings(config: ResolvedConfig): GrantSettings {
  const apis = apisByIdentifier(config);
  const { behaviour } = config;
  return {
    extraParams: { audience: audienceParameter(apis, behaviour) },
    loadExistingGrant: (ctx) => grantEverythingAsked(ctx, apis),
    issueRefreshToken: issueRefreshTokenFor(behaviour),
    rotateRefreshToken: behaviour.rotateRefreshTokens,
  };
}
