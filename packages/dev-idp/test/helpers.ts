import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { createDevIdp, type DevIdp, type DevIdpOptions } from '../src/index.js';

export const APP = 'http://app-a.localhost:5173';
export const APP_B = 'http://app-b.localhost:5174';
export const API = 'https://api.example';

/** Two public clients on different sites and one API, as the workflow uses them. */
export function testOptions(overrides: DevIdpOptions = {}): DevIdpOptions {
  return {
    port: 0,
    hostname: 'idp.localhost',
    clockToleranceSeconds: 0,
    clients: [
      { clientId: 'site-a', redirectUris: [`${APP}/callback`], postLogoutRedirectUris: [`${APP}/`], webOrigins: [APP] },
      { clientId: 'site-b', redirectUris: [`${APP_B}/callback`], postLogoutRedirectUris: [`${APP_B}/`] },
    ],
    apis: [{ identifier: API, scopes: ['read:messages'] }],
    ...overrides,
  };
}

export async function startIdp(overrides: DevIdpOptions = {}): Promise<DevIdp> {
  return createDevIdp(testOptions(overrides));
}

/**
 * One HTTP request to loopback with the URL's own Host header. Node's fetch can neither resolve
 * `*.localhost` nor send a Host header of its own, and the IdP builds its endpoint URLs from Host.
 */
export function rawRequest(url: URL, method: string, headers: Record<string, string>, body?: string): Promise<Response> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method,
        headers: { ...headers, host: url.host },
        // A fresh connection each time, as the IdP may be restarted between requests.
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const responseHeaders = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value])
              responseHeaders.append(name, item);
          }
          const status = res.statusCode ?? 0;
          const payload = status === 204 || status === 304 ? null : Buffer.concat(chunks);
          resolve(new Response(payload, { status, headers: responseHeaders }));
        });
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

interface Cookie {
  value: string;
  path: string;
  expires: number | undefined;
}

/**
 * A cookie jar for one host (the IdP), honouring Path, Expires and Max-Age. Enough for the
 * IdP's own cookies; browsers' SameSite and third-party rules are tested in Chromium instead.
 */
export class CookieJar {
  readonly #cookies = new Map<string, Cookie>();

  store(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = header.split(';').map((part) => part.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let path = '/';
      let expires: number | undefined;
      for (const attribute of attributes) {
        const [key = '', val = ''] = attribute.split('=');
        const lower = key.toLowerCase();
        if (lower === 'path') path = val;
        if (lower === 'expires') expires = Date.parse(val);
        if (lower === 'max-age') expires = Date.now() + Number(val) * 1000;
      }
      const key = `${name};${path}`;
      if (value === '' || (expires !== undefined && expires <= Date.now())) this.#cookies.delete(key);
      else this.#cookies.set(key, { value, path, expires });
    }
  }

  header(url: string): string {
    const path = new URL(url).pathname;
    const now = Date.now();
    const pairs: string[] = [];
    for (const [key, cookie] of this.#cookies) {
      if (cookie.expires !== undefined && cookie.expires <= now) continue;
      if (!path.startsWith(cookie.path)) continue;
      pairs.push(`${key.slice(0, key.indexOf(';'))}=${cookie.value}`);
    }
    return pairs.join('; ');
  }

  names(): string[] {
    return [...this.#cookies.keys()].map((key) => key.slice(0, key.indexOf(';')));
  }

  clear(): void {
    this.#cookies.clear();
  }
}

/** A minimal user agent: manual redirects, a cookie jar for the IdP, requests to 127.0.0.1 with the IdP's Host. */
export class Agent {
  readonly jar: CookieJar;
  readonly #idp: DevIdp;

  /** `jar` carries cookies over from another agent, as a browser keeps them across an IdP restart. */
  constructor(idp: DevIdp, jar = new CookieJar()) {
    this.#idp = idp;
    this.jar = jar;
  }

  /** Fetches an IdP URL (absolute or relative to the issuer) without following redirects. */
  async fetch(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Response> {
    const target = new URL(url, this.#idp.issuer);
    const headers: Record<string, string> = { ...init.headers };
    const cookie = this.jar.header(target.href);
    if (cookie) headers.cookie = cookie;
    const response = await rawRequest(target, init.method ?? 'GET', headers, init.body);
    this.jar.store(response);
    return response;
  }

  /**
   * Follows redirects while they stay on the IdP; returns the last IdP response, and the
   * first off-IdP location (the application's callback) if there was one.
   */
  async follow(
    url: string,
    init: { method?: string; headers?: Record<string, string>; body?: string } = {},
  ): Promise<{ response: Response; location?: URL; body: string }> {
    let response = await this.fetch(url, init);
    for (let hops = 0; hops < 10; hops++) {
      const location = response.headers.get('location');
      if (!location || response.status < 300 || response.status >= 400) break;
      const next = new URL(location, new URL(url, this.#idp.issuer));
      if (next.origin !== new URL(this.#idp.issuer).origin) {
        return { response, location: next, body: await response.text() };
      }
      response = await this.fetch(next.href);
      url = next.href;
    }
    return { response, body: await response.text() };
  }
}

export interface Pkce {
  verifier: string;
  challenge: string;
}

export function pkce(): Pkce {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export interface AuthorizeParams {
  clientId?: string;
  redirectUri?: string;
  scope?: string;
  audience?: string;
  resource?: string;
  prompt?: string;
  responseMode?: string;
  extra?: Record<string, string>;
}

export function authorizeUrl(idp: DevIdp, params: AuthorizeParams, challenge: string, state: string): string {
  const url = new URL('authorize', idp.issuer);
  const search = url.searchParams;
  search.set('client_id', params.clientId ?? 'site-a');
  search.set('redirect_uri', params.redirectUri ?? `${APP}/callback`);
  search.set('response_type', 'code');
  search.set('scope', params.scope ?? 'openid profile email');
  search.set('state', state);
  search.set('nonce', `n-${state}`);
  search.set('code_challenge', challenge);
  search.set('code_challenge_method', 'S256');
  if (params.audience) search.set('audience', params.audience);
  if (params.resource) search.set('resource', params.resource);
  if (params.prompt) search.set('prompt', params.prompt);
  if (params.responseMode) search.set('response_mode', params.responseMode);
  for (const [key, value] of Object.entries(params.extra ?? {})) search.set(key, value);
  return url.href;
}

/** The login form's action from the login page's HTML. */
export function formAction(html: string): string {
  const match = /<form method="post" action="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error(`no form in page: ${html.slice(0, 200)}`);
  return match[1].replace(/&amp;/g, '&');
}

export interface AuthorizationResult {
  location: URL;
  code: string | null;
  error: string | null;
  state: string;
  pkce: Pkce;
}

/** Runs an authorization request; signs in with the form when the IdP asks and `credentials` are given. */
export async function authorize(
  agent: Agent,
  idp: DevIdp,
  params: AuthorizeParams = {},
  credentials: { login: string; password: string } | undefined = { login: 'alice@example.com', password: 'wonderland' },
): Promise<AuthorizationResult> {
  const codes = pkce();
  const state = randomBytes(8).toString('hex');
  let result = await agent.follow(authorizeUrl(idp, params, codes.challenge, state));
  if (!result.location && credentials && result.body.includes('name="password"')) {
    result = await agent.follow(formAction(result.body), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(credentials).toString(),
    });
  }
  if (!result.location) throw new Error(`no redirect to the app: ${result.response.status} ${result.body.slice(0, 300)}`);
  return {
    location: result.location,
    code: result.location.searchParams.get('code'),
    error: result.location.searchParams.get('error'),
    state,
    pkce: codes,
  };
}

export interface TokenResponse {
  access_token?: string;
  id_token?: string;
  refresh_token?: string;
  expires_in?: number;
  scope?: string;
  token_type?: string;
  error?: string;
  error_description?: string;
}

export async function tokenRequest(
  agent: Agent,
  body: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: TokenResponse; response: Response }> {
  const response = await agent.fetch('oauth/token', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(body).toString(),
  });
  return { status: response.status, json: (await response.json()) as TokenResponse, response };
}

export async function exchangeCode(
  agent: Agent,
  result: AuthorizationResult,
  clientId = 'site-a',
  redirectUri = `${APP}/callback`,
) {
  if (!result.code) throw new Error(`no code: ${result.location.href}`);
  return tokenRequest(agent, {
    grant_type: 'authorization_code',
    client_id: clientId,
    code: result.code,
    redirect_uri: redirectUri,
    code_verifier: result.pkce.verifier,
  });
}

export function decodeJwt(token: string | undefined): Record<string, unknown> {
  const payload = token?.split('.')[1];
  if (!payload) throw new Error('not a JWT');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Sleeps until just past the epoch second `epochSeconds` (session deadlines are whole seconds). */
export async function sleepUntilEpoch(epochSeconds: number): Promise<void> {
  const wait = epochSeconds * 1000 - Date.now();
  if (wait > 0) await sleep(wait + 50);
}

/** Posts a page's first form with its hidden inputs, as the page's own script would. */
export async function submitForm(agent: Agent, html: string) {
  const inputs = [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map(
    ([, name = '', value = '']) => [name, value.replace(/&amp;/g, '&')] as [string, string],
  );
  return agent.follow(formAction(html), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(inputs).toString(),
  });
}
