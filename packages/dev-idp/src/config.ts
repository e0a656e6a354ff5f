import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ProfileName, type ProviderBehaviour, resolveBehaviour } from './behaviour.js';

/** A public single-page app client: no secret, PKCE S256, exact URIs. */
export interface DevClient {
  clientId: string;
  /** Shown on the login page. Defaults to the client id. */
  name?: string;
  /** Exact redirect URIs (no wildcards, no prefix matching). */
  redirectUris: string[];
  /** Exact post-logout redirect URIs, for `post_logout_redirect_uri` and `/v2/logout?returnTo=`. */
  postLogoutRedirectUris?: string[];
  /**
   * Origins allowed to call the token, userinfo, revocation and dev-session endpoints from
   * script (CORS). Defaults to the origins of the redirect URIs.
   */
  webOrigins?: string[];
  /** ID token lifetime for this client (applications set their own); defaults to `idTokenSeconds`. */
  idTokenSeconds?: number;
  /**
   * Access token lifetime for this client; defaults to `accessTokenSeconds`. An API's own
   * `accessTokenSeconds` wins for tokens of that API, as the API owns its tokens.
   */
  accessTokenSeconds?: number;
  /**
   * The client must prove possession of a key (RFC 9449 DPoP) at the token endpoint: a code
   * exchange or refresh without a `DPoP` proof is refused with `invalid_grant`, so it never gets
   * a Bearer token (oidc-provider's `dpop_bound_access_tokens`). Default false: a proof binds
   * the tokens when sent, Bearer tokens otherwise.
   */
  requireDpop?: boolean;
}

/** A client with its defaults filled in. */
export interface ResolvedClient {
  clientId: string;
  name: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  webOrigins: string[];
  idTokenSeconds: number | undefined;
  accessTokenSeconds: number | undefined;
  requireDpop: boolean;
}

/** An API (resource server) whose access tokens are JWTs with `aud` = `identifier`. */
export interface DevApi {
  identifier: string;
  scopes?: string[];
  /** Access token lifetime for this API; defaults to `accessTokenSeconds`. */
  accessTokenSeconds?: number;
}

/** A test user. `sub` is the subject identifier; sign-in is by email (or sub) and password. */
export interface DevUser {
  sub: string;
  email: string;
  password: string;
  name?: string;
}

/** A Node request handler, as `http.createServer` takes it. */
export type DevIdpHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** What a fault hook gets besides the real handler. */
export interface DevIdpFaultContext {
  issuer: string;
  /** Signs a JWT with the IdP's own RS256 key and `kid`, e.g. an ID token with altered claims. */
  signJwt(payload: Record<string, unknown>, header?: Record<string, unknown>): string;
}

/**
 * A hook around the IdP's whole request handler, for fault injection: it receives the real
 * handler and returns the one the server uses, so it can delay or drop requests, answer 5xx or
 * HTML itself, or call the real handler and rewrite what it sends (tokens re-signed with
 * `signJwt`).
 */
export type DevIdpFaults = (handler: DevIdpHandler, idp: DevIdpFaultContext) => DevIdpHandler;

export interface DevIdpOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Address to bind. Default `127.0.0.1`. */
  listenHost?: string;
  /** Host name in the issuer. Default `localhost`; use `idp.localhost` to make it its own site. */
  hostname?: string;
  /** Sliding SSO inactivity timeout in seconds (1 s … 100 days). Default 300. */
  sessionIdleSeconds?: number;
  /** Absolute SSO session cap since login in seconds (1 s … 365 days). Default 3 days. */
  sessionAbsoluteSeconds?: number;
  /** ID token lifetime. Default 150. */
  idTokenSeconds?: number;
  /** Access token lifetime. Default 150. */
  accessTokenSeconds?: number;
  /** Refresh token lifetime, fixed at first issue and kept through rotation. Default: until the session's absolute cap. */
  refreshTokenSeconds?: number;
  /** oidc-provider `clockTolerance` for tokens and JWTs. Default 15; tests use 0. */
  clockToleranceSeconds?: number;
  /** Whether a refresh token grant also slides the SSO session. Default false. */
  refreshExtendsSession?: boolean;
  clients?: DevClient[];
  apis?: DevApi[];
  users?: DevUser[];
  /** Enables `GET /dev/sessions` and `DELETE /dev/sessions/:id`. Default false. */
  introspection?: boolean;
  /** Memory by default; `{ file }` keeps sessions, grants, tokens and keys in a JSON file across restarts. */
  storage?: { file: string } | 'memory';
  /** Fault injection seam: wraps the whole request handler. */
  faults?: DevIdpFaults;
  /** A named group of provider behaviours (see `profiles`). Default `'default'`. */
  profile?: ProfileName;
  /** Behaviour flags, applied over the profile's. */
  behaviour?: Partial<ProviderBehaviour>;
  /**
   * Storage Access API support for silent authentication where third-party cookies are blocked
   * (see `src/routes/storage-access.ts` and the README). Default false: nothing changes.
   */
  storageAccess?: boolean;
}

/** The test user every IdP has when `users` is not given: alice@example.com / wonderland. */
export const defaultUser: DevUser = {
  sub: 'alice',
  email: 'alice@example.com',
  password: 'wonderland',
  name: 'Alice Liddell',
};

export const LIMITS = {
  idleMax: 100 * 24 * 3600,
  absoluteMax: 365 * 24 * 3600,
} as const;

export interface ResolvedConfig {
  port: number;
  listenHost: string;
  hostname: string;
  sessionIdleSeconds: number;
  sessionAbsoluteSeconds: number;
  idTokenSeconds: number;
  accessTokenSeconds: number;
  refreshTokenSeconds: number | undefined;
  clockToleranceSeconds: number;
  refreshExtendsSession: boolean;
  clients: ResolvedClient[];
  apis: DevApi[];
  users: DevUser[];
  introspection: boolean;
  storageFile: string | undefined;
  faults: DevIdpFaults | undefined;
  behaviour: ProviderBehaviour;
  storageAccess: boolean;
}

function seconds(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new RangeError(`${name} must be an integer between ${min} and ${max} seconds, got ${String(value)}`);
  }
  return v;
}

function optionalSeconds(name: string, value: number | undefined): number | undefined {
  return value === undefined ? undefined : seconds(name, value, 0, 1, LIMITS.absoluteMax);
}

function requireBoolean(name: string, value: boolean | undefined): boolean {
  if (value !== undefined && typeof value !== 'boolean')
    throw new TypeError(`${name} must be a boolean, got ${JSON.stringify(value)}`);
  return value ?? false;
}

function originOf(uri: string): string {
  return new URL(uri).origin;
}

/** Validates options and fills in defaults. Throws a `RangeError`/`TypeError` naming the bad option. */
export function resolveConfig(options: DevIdpOptions = {}): ResolvedConfig {
  const sessionIdleSeconds = seconds('sessionIdleSeconds', options.sessionIdleSeconds, 300, 1, LIMITS.idleMax);
  const sessionAbsoluteSeconds = seconds(
    'sessionAbsoluteSeconds',
    options.sessionAbsoluteSeconds,
    3 * 24 * 3600,
    1,
    LIMITS.absoluteMax,
  );
  const clients = (options.clients ?? []).map((client) => {
    if (!client.clientId || !Array.isArray(client.redirectUris) || client.redirectUris.length === 0) {
      throw new TypeError(`client ${String(client.clientId)} needs a clientId and at least one redirect URI`);
    }
    return {
      clientId: client.clientId,
      name: client.name ?? client.clientId,
      redirectUris: [...client.redirectUris],
      postLogoutRedirectUris: [...(client.postLogoutRedirectUris ?? [])],
      webOrigins: [...new Set(client.webOrigins ?? client.redirectUris.map(originOf))],
      idTokenSeconds: optionalSeconds(`${client.clientId}.idTokenSeconds`, client.idTokenSeconds),
      accessTokenSeconds: optionalSeconds(`${client.clientId}.accessTokenSeconds`, client.accessTokenSeconds),
      requireDpop: requireBoolean(`${client.clientId}.requireDpop`, client.requireDpop),
    };
  });
  const users = options.users?.length ? options.users : [defaultUser];
  return {
    port: options.port ?? 0,
    listenHost: options.listenHost ?? '127.0.0.1',
    hostname: options.hostname ?? 'localhost',
    sessionIdleSeconds,
    sessionAbsoluteSeconds,
    idTokenSeconds: seconds('idTokenSeconds', options.idTokenSeconds, 150, 1, LIMITS.absoluteMax),
    accessTokenSeconds: seconds('accessTokenSeconds', options.accessTokenSeconds, 150, 1, LIMITS.absoluteMax),
    refreshTokenSeconds: optionalSeconds('refreshTokenSeconds', options.refreshTokenSeconds),
    clockToleranceSeconds: seconds('clockToleranceSeconds', options.clockToleranceSeconds, 15, 0, 3600),
    refreshExtendsSession: options.refreshExtendsSession ?? false,
    clients,
    apis: (options.apis ?? []).map((api) => ({ ...api, scopes: [...(api.scopes ?? [])] })),
    users,
    introspection: options.introspection ?? false,
    storageFile: typeof options.storage === 'object' ? options.storage.file : undefined,
    faults: options.faults,
    behaviour: resolveBehaviour(options.profile, options.behaviour),
    storageAccess: requireBoolean('storageAccess', options.storageAccess),
  };
}
