import Provider, {
  type Client,
  type Configuration,
  type CookiesSetOptions,
  errors,
  type Grant,
  type JWK,
  type KoaContextWithOIDC,
} from 'oidc-provider';
import { dpopFeature, interactionPolicyFor, issueRefreshTokenFor, logoutFeature, webMessageFeature } from './behaviour-config.js';
import type { DevApi, DevUser, ResolvedClient, ResolvedConfig } from './config.js';
import { isLoopbackHostname } from './cookies.js';
import { oidcScopes, routes } from './paths.js';
import type { SessionClock } from './sessions.js';
import type { Store } from './storage.js';
import { errorPage } from './views.js';

function webOriginsOf(client: Client): string[] {
  // Extra client metadata keeps its registered (snake_case) name on the client model.
  const origins = client.web_origins;
  return Array.isArray(origins) ? origins.filter((o): o is string => typeof o === 'string') : [];
}

function scopeSet(value: unknown): Set<string> {
  return new Set(typeof value === 'string' ? value.split(' ').filter(Boolean) : []);
}

/** The raw `scope` of the authorization request, before oidc-provider filters it. */
function rawScope(ctx: KoaContextWithOIDC): Set<string> {
  const body = ctx.method === 'POST' ? ctx.oidc?.body : undefined;
  return scopeSet(body ? body.scope : ctx.query.scope);
}

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

/** Builds the oidc-provider instance with this IdP's policy. Routes and middleware are added by the caller. */
export function buildProvider({
  config,
  issuer,
  store,
  clock,
  signingKey,
  cookieKeys,
  dpopNonceSecret,
}: ProviderParts): Provider {
  const apis = new Map<string, DevApi>(config.apis.map((api) => [api.identifier, api]));
  const users = new Map<string, DevUser>(config.users.map((user) => [user.sub, user]));
  const clients = new Map<string, ResolvedClient>(config.clients.map((client) => [client.clientId, client]));
  const { behaviour } = config;
  // An API owns its tokens' lifetime; otherwise the client's, otherwise the global one.
  const accessTokenSeconds = (api: DevApi | undefined, client: Client | undefined) =>
    api?.accessTokenSeconds ?? (client && clients.get(client.clientId)?.accessTokenSeconds) ?? config.accessTokenSeconds;
  const secureCookies = new URL(issuer).protocol === 'https:' || isLoopbackHostname(new URL(issuer).hostname);
  // The SSO session cookie must reach the IdP in a cross-site iframe (silent authentication),
  // so it is SameSite=None, which browsers accept only with Secure. Without a secure context
  // it falls back to Lax: sign-in works, silent authentication from another site does not.
  const sessionCookie: CookiesSetOptions = secureCookies
    ? { httpOnly: true, sameSite: 'none', secure: true }
    : { httpOnly: true, sameSite: 'lax' };
  // Interaction cookies only ever travel in top-level navigations (the login page, the resume
  // redirect), so Lax keeps other sites from posting into a sign-in in progress.
  const interactionCookie: CookiesSetOptions = { httpOnly: true, sameSite: 'lax', ...(secureCookies ? { secure: true } : {}) };

  const grantTtl = Math.max(config.sessionAbsoluteSeconds, config.refreshTokenSeconds ?? 0);

  const configuration: Configuration = {
    adapter: store.adapterFactory(),
    jwks: { keys: [signingKey] },
    cookies: {
      keys: cookieKeys,
      long: sessionCookie,
      short: interactionCookie,
    },
    clients: config.clients.map((client) => ({
      client_id: client.clientId,
      client_name: client.name,
      application_type: 'web',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: client.redirectUris,
      post_logout_redirect_uris: client.postLogoutRedirectUris,
      web_origins: client.webOrigins,
      dpop_bound_access_tokens: client.requireDpop,
    })),
    extraClientMetadata: {
      properties: ['web_origins'],
      validator(_ctx, key, value) {
        if (key === 'web_origins' && value !== undefined) {
          if (!Array.isArray(value) || value.some((origin) => typeof origin !== 'string' || new URL(origin).origin !== origin)) {
            throw new TypeError('web_origins must be an array of origins');
          }
        }
      },
    },
    clientBasedCORS(_ctx, origin, client) {
      return webOriginsOf(client).includes(origin);
    },
    async findAccount(_ctx, sub) {
      const user = users.get(sub);
      if (!user) return undefined;
      return {
        accountId: user.sub,
        async claims() {
          return {
            sub: user.sub,
            email: user.email,
            email_verified: true,
            name: user.name ?? user.email,
            nickname: user.email.split('@')[0],
          };
        },
      };
    },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'nickname'],
    },
    scopes: [...oidcScopes, ...new Set(config.apis.flatMap((api) => api.scopes ?? []))],
    // Auth0 puts profile and email claims in the ID token even when an access token is issued;
    // SDKs read the user from the ID token.
    conformIdTokenClaims: false,
    clockTolerance: config.clockToleranceSeconds,
    pkce: { required: () => true },
    clientAuthMethods: ['none'],
    responseTypes: ['code'],
    routes,
    rotateRefreshToken: behaviour.rotateRefreshTokens,
    // The `audience` parameter (Auth0 style) is the same thing as RFC 8707 `resource`. Its
    // validator also runs after oidc-provider's scope check, which is the place to undo that
    // check's removal of `offline_access` (it keeps it only with `prompt=consent`): the clients
    // here are first-party, so asking for `offline_access` is enough to get a refresh token.
    extraParams: {
      audience(ctx, value: unknown) {
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
      },
    },
    // First-party clients never see a consent screen: the grant is extended to whatever the
    // request asks for, so `prompt=none` never answers `consent_required`.
    async loadExistingGrant(ctx) {
      const oidc = ctx.oidc;
      if (!oidc?.client || !oidc.session?.accountId) return undefined;
      const grantId = oidc.result?.consent?.grantId ?? oidc.session.grantIdFor(oidc.client.clientId);
      let grant: Grant | undefined = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
      if (grant && (grant.accountId !== oidc.session.accountId || grant.clientId !== oidc.client.clientId)) grant = undefined;
      grant ??= new oidc.provider.Grant({ accountId: oidc.session.accountId, clientId: oidc.client.clientId });
      const scopes = [...oidc.requestParamOIDCScopes];
      if (scopes.length) grant.addOIDCScope(scopes.join(' '));
      const requested = oidc.requestParamScopes;
      for (const resource of Object.keys(oidc.resourceServers ?? {})) {
        const allowed = apis.get(resource)?.scopes ?? [];
        const wanted = allowed.filter((scope) => requested.has(scope));
        grant.addResourceScope(resource, wanted.join(' '));
      }
      await grant.save();
      return grant;
    },
    issueRefreshToken: issueRefreshTokenFor(behaviour),
    ttl: {
      AccessToken: (_ctx, token, client?: Client) => {
        const api = token.resourceServer ? apis.get(token.resourceServer.identifier()) : undefined;
        return accessTokenSeconds(api, client);
      },
      AuthorizationCode: 60,
      IdToken: (_ctx, _token, client?: Client) =>
        (client && clients.get(client.clientId)?.idTokenSeconds) ?? config.idTokenSeconds,
      Interaction: 3600,
      Grant: grantTtl,
      Session: (_ctx, session) => clock.ttl(session),
      RefreshToken: (ctx, token) => {
        // A rotated token inherits what is left of its predecessor: rotation never extends the chain.
        const rotated = ctx?.oidc?.entities.RotatedRefreshToken;
        if (rotated) return Math.max(1, rotated.remainingTTL);
        return config.refreshTokenSeconds ?? clock.remainingAbsolute(token.authTime);
      },
    },
    features: {
      devInteractions: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
      revocation: { enabled: true },
      userinfo: { enabled: true },
      webMessageResponseMode: webMessageFeature(behaviour),
      dPoP: dpopFeature(behaviour, dpopNonceSecret),
      rpInitiatedLogout: logoutFeature(behaviour, issuer),
      resourceIndicators: {
        enabled: true,
        defaultResource(ctx, _client, oneOf) {
          if (oneOf) return oneOf[0];
          const audience = ctx.oidc?.params?.audience;
          return typeof audience === 'string' && audience ? audience : undefined;
        },
        // The code exchange and refresh answer with the API token the authorization asked for.
        useGrantedResource: () => true,
        getResourceServerInfo(_ctx, resource, client?: Client) {
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
      },
    },
    interactions: {
      policy: interactionPolicyFor(behaviour),
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    async renderError(ctx, out) {
      // Marks the page as one the application never receives (see behaviourRoutes).
      ctx.state.errorPage = true;
      ctx.type = 'html';
      ctx.body = errorPage({ ...out });
    },
  };

  const provider = new Provider(issuer, configuration);
  return provider;
}
