// DPoP in Chromium: the security suite's stack (the built SDK on app.localhost, the dev IdP on
// idp.localhost behind its faults hook) plus the demo API on api.localhost, and what a thief
// outside the page can do from Node with whatever it copied out of it.
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { type DemoApi, startDemoApi } from '@sso-spa/api';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import type { Page } from 'playwright-core';
import { API, appReady, signIn } from '../browser/harness.js';
import { type AppWindow, openApp, type SecurityStack, startSecurityStack } from '../security/browser.js';

export interface DpopStack extends SecurityStack {
  /** The demo API, proofs without nonces. */
  api: DemoApi;
  /** The demo API demanding its own nonces (`use_dpop_nonce`). */
  nonceApi: DemoApi;
}

/** The API's protected resource. */
export const messages = (api: DemoApi) => `${api.origin}/api/messages`;

export async function startDpopStack(thirdPartyCookies: boolean, idpOptions: Record<string, unknown> = {}): Promise<DpopStack> {
  const stack = await startSecurityStack(thirdPartyCookies, idpOptions);
  const started: DemoApi[] = [];
  const api = (requireNonce: boolean) =>
    startDemoApi({
      issuer: stack.idp.issuer,
      jwksUri: `http://127.0.0.1:${stack.idp.port}/.well-known/jwks.json`,
      audience: API,
      allowedOrigins: [stack.app.origin],
      dpop: { requireNonce },
    }).then((started_) => {
      started.push(started_);
      return started_;
    });
  const closeStack = stack.close;
  const close = async () => {
    await Promise.all(started.map((a) => a.close()));
    await closeStack();
  };
  try {
    return Object.assign(stack, { api: await api(false), nonceApi: await api(true), close });
  } catch (error) {
    await close();
    throw error;
  }
}

/** The client options of a DPoP app: refresh tokens in a cache its tabs share, and the API's scope. */
export function dpopOptions(stack: SecurityStack, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    useDpop: true,
    useRefreshTokens: true,
    cacheLocation: 'localstorage',
    authorizationParams: {
      redirect_uri: `${stack.app.origin}/callback`,
      audience: API,
      scope: 'openid profile email read:messages',
    },
    ...extra,
  };
}

/** A new tab of the app with a client made with `options`. */
export async function tab(stack: SecurityStack, options: Record<string, unknown>, pages: Page[]): Promise<Page> {
  const page = await openApp(stack, '/');
  pages.push(page);
  await page.evaluate((o) => void (window as unknown as AppWindow).makeClient(o), options);
  return page;
}

/** A tab signed in through the login form with `options` (a redirect login and its callback). */
export async function signedIn(stack: SecurityStack, options: Record<string, unknown>, pages: Page[]): Promise<Page> {
  const page = await tab(stack, options, pages);
  await page.evaluate(() => (window as unknown as AppWindow).client.loginWithRedirect());
  await signIn(page);
  await page.waitForURL(/\/callback\?/);
  await appReady(page);
  await page.evaluate((o) => (window as unknown as AppWindow).makeClient(o).handleRedirectCallback(), options);
  return page;
}

/** The page client's current access token and its type (`getTokenSilently` with `detailedResponse`). */
export function tokenOf(page: Page, cacheMode = 'on'): Promise<{ access_token: string; token_type: string }> {
  return page.evaluate(
    (cacheMode) =>
      (
        window as unknown as {
          client: { getTokenSilently(o: unknown): Promise<{ access_token: string; token_type: string }> };
        }
      ).client.getTokenSilently({ detailedResponse: true, cacheMode }),
    cacheMode,
  );
}

/** What an answer said: status, the challenge, the body. */
export interface Answer {
  status: number;
  challenge: string;
  body: Record<string, unknown>;
}

/** Calls `url` from the page through `client.createFetcher()`: what an app does. */
export function fetchThroughClient(page: Page, url: string): Promise<Answer> {
  return page.evaluate(async (url) => {
    const client = (window as unknown as { client: { createFetcher(): (url: string) => Promise<Response> } }).client;
    const response = await client.createFetcher()(url);
    return {
      status: response.status,
      challenge: response.headers.get('www-authenticate') ?? '',
      body: await response.json(),
    };
  }, url);
}

/** Calls `url` from the page with the given headers only: the same token, but no proof made by the SDK. */
export function fetchFromPage(page: Page, url: string, headers: Record<string, string>): Promise<Answer> {
  return page.evaluate(
    async ({ url, headers }) => {
      const response = await fetch(url, { headers });
      return {
        status: response.status,
        challenge: response.headers.get('www-authenticate') ?? '',
        body: await response.json(),
      };
    },
    { url, headers },
  );
}

/**
 * A request from Node, outside the browser: a thief with a copied token. `*.localhost` names
 * go to 127.0.0.1 and the Host header is the URL's own, as the servers expect.
 */
export function fromNode(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer & { nonce: string | null }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: init.method ?? 'GET',
        headers: init.headers,
        agent: false,
        lookup: (_host, options, done) =>
          options.all ? done(null, [{ address: '127.0.0.1', family: 4 }]) : done(null, '127.0.0.1', 4),
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => {
          const header = res.headers['www-authenticate'];
          resolve({
            status: res.statusCode ?? 0,
            challenge: Array.isArray(header) ? header.join(', ') : (header ?? ''),
            body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
            nonce: (res.headers['dpop-nonce'] as string | undefined) ?? null,
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

/** A key the thief made: its own, since the page's cannot be taken along. */
export interface ThiefKey {
  privateKey: CryptoKey;
  jwk: JWK;
}

export async function thiefKey(): Promise<ThiefKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  return { privateKey, jwk: await exportJWK(publicKey) };
}

/** A well-formed DPoP proof by `key` for the request (RFC 9449 §4.2). */
export async function proofBy(key: ThiefKey, claims: { htm: string; htu: string; accessToken?: string }): Promise<string> {
  const ath = claims.accessToken
    ? Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(claims.accessToken))).toString('base64url')
    : undefined;
  return new SignJWT({ htm: claims.htm, htu: claims.htu, jti: randomUUID(), ...(ath ? { ath } : {}) })
    .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.jwk })
    .setIssuedAt()
    .sign(key.privateKey);
}

/** The RFC 7638 thumbprint of a public JWK, computed here (not by the SDK). */
export const thumbprintOf = (jwk: JWK) => calculateJwkThumbprint(jwk, 'sha256');

/** A DPoP proof as sent: its header (with the public `jwk`) and claims. */
export function readProof(proof: string): { header: { jwk: JWK; typ: string; alg: string }; claims: Record<string, unknown> } {
  const [header = '', claims = ''] = proof.split('.');
  const part = (value: string) => JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  return { header: part(header), claims: part(claims) };
}

/** Every request a page sent with a `DPoP` header, as the browser sent it. */
export interface SentProof {
  method: string;
  url: string;
  authorization: string | undefined;
  proof: string;
}

/** Records the proofs each page of the stack's browser sends, from now on. */
export function recordProofs(stack: SecurityStack): SentProof[] {
  const sent: SentProof[] = [];
  stack.browser.context.on('request', (req) => {
    const headers = req.headers();
    if (headers.dpop)
      sent.push({ method: req.method(), url: req.url(), authorization: headers.authorization, proof: headers.dpop });
  });
  return sent;
}

/**
 * The page's DPoP key as IndexedDB keeps it, and what WebCrypto lets a script do with it: its
 * public JWK, whether the private key is extractable, and what exporting it throws. `undefined`
 * when no key is kept. The database is only read when it exists: opening a missing one would
 * create it empty, under the SDK's feet.
 */
export function keptKey(
  page: Page,
  issuer: string,
): Promise<{ jwk: JWK; extractable: boolean; usages: string[]; exported: string } | undefined> {
  return page.evaluate(
    async (id) => {
      if (!(await indexedDB.databases()).some((db) => db.name === 'sso-spa-dpop')) return undefined;
      const settle = <T>(req: IDBRequest<T>) =>
        new Promise<T>((resolve, reject) => {
          req.onsuccess = () => resolve(req.result);
          req.onerror = () => reject(req.error);
        });
      const db = await settle(indexedDB.open('sso-spa-dpop'));
      try {
        if (!db.objectStoreNames.contains('keys')) return undefined;
        const key = (await settle(db.transaction('keys').objectStore('keys').get(id))) as
          | { jwk: JsonWebKey; privateKey: CryptoKey }
          | undefined;
        if (!key) return undefined;
        const exported = await crypto.subtle.exportKey('jwk', key.privateKey).then(
          () => 'exported',
          (error: Error) => error.name,
        );
        return {
          jwk: key.jwk as never,
          extractable: key.privateKey.extractable,
          usages: [...key.privateKey.usages],
          exported,
        };
      } finally {
        db.close();
      }
    },
    JSON.stringify([issuer, 'site-a']),
  );
}
