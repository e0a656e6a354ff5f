// oidc-provider ships no type declarations. This is the narrow slice of its API this package
// uses, written from lib/provider.js, lib/models and lib/helpers/defaults.js of v9. It stays
// private: nothing in the public surface of sso-spa-dev-idp mentions these types.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export interface KoaContext {
    req: IncomingMessage;
    res: ServerResponse;
    method: string;
    path: string;
    url: string;
    status: number;
    body: unknown;
    type: string;
    query: Record<string, string | string[] | undefined>;
    querystring: string;
    /** Koa's per-request scratch space. */
    state: Record<string, unknown>;
    response: { get(field: string): string; remove(field: string): void };
    request: { secure: boolean; body?: unknown };
    cookies: { secure: boolean };
    oidc?: OidcContext;
    get(field: string): string;
    set(field: string, value: string): void;
    redirect(url: string): void;
  }

  export type KoaNext = () => Promise<void>;
  export type KoaMiddleware = (ctx: KoaContext, next: KoaNext) => Promise<void>;

  export interface OidcContext {
    route: string;
    params: Record<string, unknown> & { scope?: string; [key: string]: unknown };
    body?: Record<string, unknown>;
    client?: ClientModel;
    session: SessionModel;
    result?: { consent?: { grantId?: string } };
    requestParamOIDCScopes: Set<string>;
    requestParamScopes: Set<string>;
    resourceServers: Record<string, unknown>;
    entities: Record<string, unknown>;
    provider: Provider;
    urlFor(name: string, query?: Record<string, string>): string;
    promptPending(name: string): boolean;
  }

  export interface ClientModel {
    clientId: string;
    clientName?: string;
    clientAuthMethod: string;
    redirectUris: string[];
    postLogoutRedirectUris: string[];
    grantTypeAllowed(type: string): boolean;
    [key: string]: unknown;
  }

  export interface SessionModel {
    jti: string;
    uid: string;
    accountId?: string;
    loginTs?: number;
    exp?: number;
    destroyed?: boolean;
    state?: { secret?: string; clientId?: string };
    authorizations?: Record<string, { grantId?: string; sid?: string; persistsLogout?: boolean }>;
    grantIdFor(clientId: string): string | undefined;
    save(ttl: number): Promise<string>;
  }

  export interface GrantModel {
    jti: string;
    accountId: string;
    clientId: string;
    addOIDCScope(scope: string): void;
    addResourceScope(resource: string, scope: string): void;
    save(ttl?: number): Promise<string>;
  }

  export interface RefreshTokenModel {
    authTime?: number;
    sessionUid?: string;
    remainingTTL: number;
  }

  export interface InteractionDetails {
    uid: string;
    prompt: { name: string; details: Record<string, unknown>; reasons: string[] };
    params: Record<string, unknown>;
    session?: { accountId?: string; uid: string };
    grantId?: string;
  }

  export interface AdapterPayload {
    jti?: string;
    exp?: number;
    iat?: number;
    kind?: string;
    grantId?: string;
    uid?: string;
    userCode?: string;
    consumed?: number;
    accountId?: string;
    loginTs?: number;
    authorizations?: Record<string, { grantId?: string }>;
    [key: string]: unknown;
  }

  export interface Adapter {
    upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void>;
    find(id: string): Promise<AdapterPayload | undefined>;
    findByUserCode(userCode: string): Promise<AdapterPayload | undefined>;
    findByUid(uid: string): Promise<AdapterPayload | undefined>;
    consume(id: string): Promise<void>;
    destroy(id: string): Promise<void>;
    revokeByGrantId(grantId: string): Promise<void>;
  }

  export class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    readonly issuer: string;
    proxy: boolean;
    callback(): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
    use(middleware: KoaMiddleware): this;
    on(event: string, listener: (...args: unknown[]) => void): this;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
    interactionFinished(
      req: IncomingMessage,
      res: ServerResponse,
      result: Record<string, unknown>,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<void>;
    interactionResult(
      req: IncomingMessage,
      res: ServerResponse,
      result: Record<string, unknown>,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<string>;
    Session: {
      findByUid(uid: string): Promise<SessionModel | undefined>;
      find(id: string): Promise<SessionModel | undefined>;
    };
    Grant: {
      new (input: { accountId: string; clientId: string }): GrantModel;
      find(id: string): Promise<GrantModel | undefined>;
    };
    Client: { find(id: string): Promise<ClientModel | undefined> };
  }

  export const errors: {
    InvalidTarget: new (description?: string) => Error;
    InvalidRequest: new (description?: string) => Error;
  };

  export interface InteractionCheck {
    reason: string;
    error?: string;
  }

  export interface InteractionPrompt {
    name: string;
    checks: InteractionCheck[];
  }

  export const interactionPolicy: {
    base(): InteractionPrompt[] & { get(name: string): InteractionPrompt | undefined };
    Prompt: new (options: { name: string; requestable: boolean }, ...checks: InteractionCheck[]) => InteractionPrompt;
    Check: new (
      reason: string,
      description: string,
      error: string,
      check: (ctx: KoaContext) => boolean | Promise<boolean>,
    ) => InteractionCheck;
  };

  export default Provider;
}
