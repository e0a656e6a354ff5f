// A fake OpenID provider at the network edge: discovery, token endpoint and the decision the
// authorization endpoint would take. It checks PKCE, single-use codes and refresh token
// rotation so client tests exercise the real protocol code.
import { createHash, randomUUID } from 'node:crypto';

export const ISSUER = 'https://op.example/';
export const CLIENT_ID = 'site-a';
export const APP = 'https://app.example';
export const REDIRECT_URI = `${APP}/callback`;

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function jwt(payload: Record<string, unknown>, header: Record<string, unknown> = { alg: 'RS256', kid: 'k1' }): string {
  return `${b64url(header)}.${b64url(payload)}.c2ln`;
}

interface Grant {
  sub: string;
  nonce: string | undefined;
  challenge: string | undefined;
  redirectUri: string | undefined;
  scope: string;
}

export interface FakeOpOptions {
  now: () => number;
  idTokenSeconds?: number;
  accessTokenSeconds?: number;
  webMessage?: boolean;
  rotateRefreshTokens?: boolean;
  /** P1: what prompt=none answers without a session (default login_required). */
  noSessionError?: string;
  /** P2: prompt=none without an accepted id_token_hint answers invalid_request. */
  requireIdTokenHint?: boolean;
  /** P5: RFC 9207 `iss` in responses and discovery (default true). */
  issParameter?: boolean;
  /** P6: refresh responses carry a new ID token (default true). */
  refreshIdToken?: boolean;
  /** P7: refresh tokens are granted without `offline_access`; a refresh asking for it is refused. */
  refreshGrantWithoutOfflineAccess?: boolean;
  /** P8: token endpoint errors come as HTTP 400 with an empty body. */
  emptyTokenErrors?: boolean;
  /** P10/P11: discovery lists a revocation endpoint / an end-session endpoint (default true). */
  revocation?: boolean;
  endSession?: boolean;
}

export class FakeOp {
  readonly metadata: Record<string, unknown>;
  sub = 'alice';
  /** Whether the browser has an SSO session at the provider (what prompt=none finds). */
  session = true;
  /** Changes the next ID token (tests of ID token validation). */
  idTokenClaims: Record<string, unknown> = {};
  /** Replaces the next token endpoint response. */
  nextTokenResponse: (() => Response) | undefined;
  readonly calls = { discovery: 0, token: 0, refresh: 0, revocation: 0 };
  /** Access tokens this provider issued (the userinfo endpoint accepts them). */
  readonly issuedAccessTokens = new Set<string>();
  /** Replaces the `sub` the userinfo endpoint answers with. */
  userinfoSub: string | undefined;
  /** Refresh tokens revoked at the revocation endpoint. */
  readonly revoked: string[] = [];
  /** ID tokens the provider still accepts as `id_token_hint` (P2: a restarted provider forgets them). */
  readonly acceptedHints = new Set<string>();
  readonly authorizeUrls: URL[] = [];
  readonly tokenBodies: URLSearchParams[] = [];
  readonly #codes = new Map<string, Grant>();
  readonly #refreshTokens = new Map<string, Grant & { used: boolean }>();
  readonly #options: FakeOpOptions;

  constructor(options: FakeOpOptions) {
    this.#options = options;
    this.metadata = {
      issuer: ISSUER,
      authorization_endpoint: `${ISSUER}authorize`,
      token_endpoint: `${ISSUER}oauth/token`,
      ...(options.endSession === false ? {} : { end_session_endpoint: `${ISSUER}oidc/logout` }),
      ...(options.revocation === false ? {} : { revocation_endpoint: `${ISSUER}oauth/revoke` }),
      userinfo_endpoint: `${ISSUER}userinfo`,
      response_modes_supported: options.webMessage === false ? ['query', 'fragment'] : ['query', 'fragment', 'web_message'],
      id_token_signing_alg_values_supported: ['RS256'],
      ...(options.issParameter === false ? {} : { authorization_response_iss_parameter_supported: true }),
    };
  }

  /** What the authorization endpoint answers to `url` (prompt=none without a session: login_required). */
  authorize(url: string): URLSearchParams {
    const u = new URL(url);
    this.authorizeUrls.push(u);
    const q = u.searchParams;
    const response = new URLSearchParams({ state: q.get('state') ?? '' });
    if (this.#options.issParameter !== false) response.set('iss', ISSUER);
    const hint = q.get('id_token_hint');
    if (q.get('prompt') === 'none' && this.#options.requireIdTokenHint && (!hint || !this.acceptedHints.has(hint))) {
      response.set('error', 'invalid_request');
      response.set('error_description', 'id_token_hint is required');
      return response;
    }
    if (!this.session && q.get('prompt') === 'none') {
      response.set('error', this.#options.noSessionError ?? 'login_required');
      response.set('error_description', 'End-User authentication is required');
      return response;
    }
    const code = randomUUID();
    this.#codes.set(code, {
      sub: this.sub,
      nonce: q.get('nonce') ?? undefined,
      challenge: q.get('code_challenge') ?? undefined,
      redirectUri: q.get('redirect_uri') ?? undefined,
      scope: q.get('scope') ?? 'openid',
    });
    response.set('code', code);
    return response;
  }

  /** The authorization response as a callback URL. */
  callbackUrl(authorizeUrl: string, base = REDIRECT_URI): string {
    return `${base}${base.includes('?') ? '&' : '?'}${this.authorize(authorizeUrl)}`;
  }

  readonly fetch: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.pathname === '/.well-known/openid-configuration') {
      this.calls.discovery++;
      return Response.json(this.metadata);
    }
    if (url.href === this.metadata.userinfo_endpoint) {
      const token =
        new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined))
          .get('authorization')
          ?.replace(/^Bearer /, '') ?? '';
      if (!this.issuedAccessTokens.has(token)) return new Response(null, { status: 401 });
      return Response.json({ sub: this.userinfoSub ?? this.sub, name: 'Alice Liddell', email: 'alice@example.com' });
    }
    if (url.href === this.metadata.revocation_endpoint) {
      this.calls.revocation++;
      const token = new URLSearchParams(String(init?.body)).get('token') ?? '';
      this.revoked.push(token);
      this.#refreshTokens.delete(token);
      return new Response(null, { status: 200 });
    }
    if (url.href === this.metadata.token_endpoint) {
      this.calls.token++;
      const body = new URLSearchParams(String(init?.body));
      this.tokenBodies.push(body);
      if (this.nextTokenResponse) {
        const respond = this.nextTokenResponse;
        this.nextTokenResponse = undefined;
        return respond();
      }
      return body.get('grant_type') === 'refresh_token' ? this.#refresh(body) : this.#exchange(body);
    }
    return new Response('not found', { status: 404 });
  };

  #exchange(body: URLSearchParams): Response {
    const grant = this.#codes.get(body.get('code') ?? '');
    this.#codes.delete(body.get('code') ?? '');
    const verifier = body.get('code_verifier') ?? '';
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    if (!grant || grant.challenge !== challenge || grant.redirectUri !== body.get('redirect_uri')) {
      return this.#error('invalid_grant');
    }
    return this.#tokens(grant);
  }

  #issue(accessToken: string): string {
    this.issuedAccessTokens.add(accessToken);
    return accessToken;
  }

  #error(error: string): Response {
    if (this.#options.emptyTokenErrors) return new Response(null, { status: 400 });
    return Response.json({ error, error_description: 'grant request is invalid' }, { status: 400 });
  }

  #refresh(body: URLSearchParams): Response {
    this.calls.refresh++;
    const grant = this.#refreshTokens.get(body.get('refresh_token') ?? '');
    if (!grant || grant.used) return this.#error('invalid_grant');
    const asked = body.get('scope');
    const granted = new Set(grant.scope.split(' '));
    if (asked && !asked.split(' ').every((scope) => granted.has(scope))) return this.#error('invalid_scope');
    if (this.#options.rotateRefreshTokens !== false) grant.used = true;
    return this.#tokens({ ...grant, nonce: undefined }, this.#options.rotateRefreshTokens === false, true);
  }

  #tokens(grant: Grant, keepRefreshToken = false, refresh = false): Response {
    const now = Math.floor(this.#options.now() / 1000);
    const idTokenSeconds = this.#options.idTokenSeconds ?? 150;
    const claims = {
      iss: ISSUER,
      sub: grant.sub,
      aud: CLIENT_ID,
      iat: now,
      exp: now + idTokenSeconds,
      auth_time: now,
      name: 'Alice Liddell',
      email: 'alice@example.com',
      ...(grant.nonce ? { nonce: grant.nonce } : {}),
      ...this.idTokenClaims,
    };
    const body: Record<string, unknown> = {
      access_token: this.#issue(`at-${randomUUID()}`),
      token_type: 'Bearer',
      expires_in: this.#options.accessTokenSeconds ?? 150,
      scope: grant.scope,
    };
    if (!refresh || this.#options.refreshIdToken !== false) {
      body.id_token = jwt(claims);
      this.acceptedHints.add(body.id_token as string);
    }
    if (grant.scope.split(' ').includes('offline_access') && !keepRefreshToken) {
      const rt = `rt-${randomUUID()}`;
      const scope = this.#options.refreshGrantWithoutOfflineAccess
        ? grant.scope
            .split(' ')
            .filter((s) => s !== 'offline_access')
            .join(' ')
        : grant.scope;
      this.#refreshTokens.set(rt, { ...grant, scope, used: false });
      body.refresh_token = rt;
    }
    return Response.json(body);
  }
}
