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
  readonly calls = { discovery: 0, token: 0, refresh: 0 };
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
      end_session_endpoint: `${ISSUER}oidc/logout`,
      response_modes_supported: options.webMessage === false ? ['query', 'fragment'] : ['query', 'fragment', 'web_message'],
      id_token_signing_alg_values_supported: ['RS256'],
      authorization_response_iss_parameter_supported: true,
    };
  }

  /** What the authorization endpoint answers to `url` (prompt=none without a session: login_required). */
  authorize(url: string): URLSearchParams {
    const u = new URL(url);
    this.authorizeUrls.push(u);
    const q = u.searchParams;
    const response = new URLSearchParams({ state: q.get('state') ?? '', iss: ISSUER });
    if (!this.session && q.get('prompt') === 'none') {
      response.set('error', 'login_required');
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
      return Response.json({ error: 'invalid_grant', error_description: 'grant request is invalid' }, { status: 400 });
    }
    return this.#tokens(grant);
  }

  #refresh(body: URLSearchParams): Response {
    this.calls.refresh++;
    const grant = this.#refreshTokens.get(body.get('refresh_token') ?? '');
    if (!grant || grant.used)
      return Response.json({ error: 'invalid_grant', error_description: 'grant request is invalid' }, { status: 400 });
    if (this.#options.rotateRefreshTokens !== false) grant.used = true;
    return this.#tokens({ ...grant, nonce: undefined }, this.#options.rotateRefreshTokens === false);
  }

  #tokens(grant: Grant, keepRefreshToken = false): Response {
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
      access_token: `at-${randomUUID()}`,
      token_type: 'Bearer',
      expires_in: this.#options.accessTokenSeconds ?? 150,
      scope: grant.scope,
      id_token: jwt(claims),
    };
    if (grant.scope.split(' ').includes('offline_access') && !keepRefreshToken) {
      const rt = `rt-${randomUUID()}`;
      this.#refreshTokens.set(rt, { ...grant, used: false });
      body.refresh_token = rt;
    }
    return Response.json(body);
  }
}
