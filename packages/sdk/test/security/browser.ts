// Chromium-tier helpers of the security suite: the SDK test stack (test/browser/harness.ts)
// with a switchable fault on the dev IdP, an attacker's site serving the hostile frame, and
// probes in the page that count message listeners, pending timers and uncaught errors.
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type LoopbackServer, listenOnLoopback, staticSite } from '@sso-spa/testkit';
import type { Page } from 'playwright-core';
import type { DevIdpFaultContext, DevIdpHandler } from 'sso-spa-dev-idp';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { openApp, type Stack, startStack } from '../browser/harness.js';

export const HOSTILE_FRAME = readFileSync(new URL('./hostile-frame.html', import.meta.url), 'utf8');
/** Where the faults hook serves the hostile frame on the IdP's own origin. */
export const HOSTILE_ON_IDP = '/__hostile-frame.html';

export interface Logged {
  method: string;
  path: string;
  query: URLSearchParams;
  status?: number;
}

/** A fault: answer `req` itself (return true) or let the IdP answer (false), possibly after rewriting. */
export type Fault = (
  req: IncomingMessage,
  res: ServerResponse,
  idp: DevIdpFaultContext,
  next: DevIdpHandler,
) => boolean | Promise<boolean>;

/** Passes only one kind of authorization request to `fault`: silent (`prompt=none`) or interactive. */
export const onAuthorize =
  (kind: 'silent' | 'interactive', fault: Fault): Fault =>
  (req, res, idp, next) => {
    const url = new URL(req.url ?? '/', idp.issuer);
    if (url.pathname !== '/authorize' || (url.searchParams.get('prompt') === 'none') !== (kind === 'silent')) return false;
    return fault(req, res, idp, next);
  };

/** The faults hook of a stack: a log of every request and one switchable fault. */
export class FaultSwitch {
  readonly log: Logged[] = [];
  fault: Fault | undefined;
  /** Responses a fault left hanging; ended when the fault is cleared. */
  readonly hung: ServerResponse[] = [];

  readonly hook = (next: DevIdpHandler, idp: DevIdpFaultContext): DevIdpHandler => {
    return async (req, res) => {
      const url = new URL(req.url ?? '/', idp.issuer);
      const entry: Logged = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams };
      this.log.push(entry);
      res.on('finish', () => {
        entry.status = res.statusCode;
      });
      if (url.pathname === HOSTILE_ON_IDP) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(HOSTILE_FRAME);
        return;
      }
      if (this.fault && (await this.fault(req, res, idp, next))) return;
      await next(req, res);
    };
  };

  /** Token endpoint requests logged since `from`. */
  tokenRequests(from = 0): Logged[] {
    return this.log.slice(from).filter((r) => r.method === 'POST' && r.path === '/oauth/token');
  }

  clear(): void {
    this.fault = undefined;
    for (const res of this.hung.splice(0)) res.destroy();
  }
}

/** Buffers what the IdP writes so `rewrite` can change the body before it is sent. */
export { rewriteResponseBody as rewriteBody } from 'sso-spa-dev-idp';

export function decodeJwt(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString());
}

export interface SecurityStack extends Stack {
  faults: FaultSwitch;
  evil: LoopbackServer;
  /** Every console line of every page and frame: must never hold a token. */
  console: string[];
}

/** Console lines that look like they carry a JWT, a refresh token or an authorization code. */
export const tokenLines = (lines: string[]) =>
  lines.filter((line) => /eyJ[\w-]{8,}|refresh_token=|code_verifier|[?&]code=/.test(line));

export async function startSecurityStack(
  thirdPartyCookies: boolean,
  idpOptions: Record<string, unknown> = {},
): Promise<SecurityStack> {
  const faults = new FaultSwitch();
  const evil = await listenOnLoopback('evil.localhost', staticSite({ pages: { '/hostile-frame.html': HOSTILE_FRAME } }));
  let stack: Stack;
  try {
    stack = await startStack(thirdPartyCookies, { faults: faults.hook, ...idpOptions });
  } catch (error) {
    await evil.close();
    throw error;
  }
  await stack.browser.context.addInitScript(PROBE);
  const console: string[] = [];
  stack.browser.context.on('console', (message) => console.push(message.text()));
  // The same object, not a copy: `restartIdp` replaces `idp` on it.
  const closeStack = stack.close;
  return Object.assign(stack, {
    faults,
    evil,
    console,
    async close() {
      faults.clear();
      await closeStack();
      await evil.close();
    },
  });
}

/**
 * Runs in every document before its scripts: counts `message` listeners on the window and
 * pending `setTimeout`s, and records uncaught errors, so tests can see what the SDK leaves.
 */
const PROBE = `(() => {
  if (window.__probe) return;
  const listeners = new Set();
  const add = window.addEventListener;
  const remove = window.removeEventListener;
  window.addEventListener = function (type, fn, options) {
    if (type === 'message' && fn) listeners.add(fn);
    return add.call(this, type, fn, options);
  };
  window.removeEventListener = function (type, fn, options) {
    if (type === 'message') listeners.delete(fn);
    return remove.call(this, type, fn, options);
  };
  const timers = new Set();
  const set = window.setTimeout;
  const clear = window.clearTimeout;
  window.setTimeout = function (fn, ms, ...args) {
    const id = set.call(window, (...a) => {
      timers.delete(id);
      if (typeof fn === 'function') fn(...a);
    }, ms, ...args);
    timers.add(id);
    return id;
  };
  window.clearTimeout = function (id) {
    timers.delete(id);
    return clear.call(window, id);
  };
  const every = window.setInterval;
  const stop = window.clearInterval;
  window.setInterval = function (...args) {
    const id = every.apply(window, args);
    timers.add(id);
    return id;
  };
  window.clearInterval = function (id) {
    timers.delete(id);
    return stop.call(window, id);
  };
  // The address bar at each token request: code, state and iss must be gone by then.
  const hrefAtToken = [];
  const realFetch = window.fetch;
  window.fetch = function (input, init) {
    const url = String(input && input.url ? input.url : input);
    if (url.includes('/oauth/token')) hrefAtToken.push(location.href);
    return realFetch.call(this, input, init);
  };
  const errors = [];
  add.call(window, 'error', (e) => errors.push(String(e.message)));
  add.call(window, 'unhandledrejection', (e) => errors.push(String(e.reason && e.reason.code || e.reason)));
  window.__probe = { listeners: () => listeners.size, timers: () => timers.size, errors, hrefAtToken };
  window.__settle = (promise) =>
    promise.then(
      (ok) => ({ ok: ok === undefined ? null : ok }),
      (e) => ({
        error: {
          code: e && e.code,
          error: e && e.error,
          errorDescription: e && e.errorDescription,
          message: String(e && e.message),
          tokenish: /eyJ[\\w-]{8,}/.test(String(e && e.message) + String(e && e.stack) + JSON.stringify(e) + String(e && e.cause && e.cause.message)),
        },
      }),
    );
})();`;

export interface Leftovers {
  /** Token requests made while the address bar still held code, state or iss. */
  dirtyAtToken: string[];
  iframes: number;
  listeners: number;
  timers: number;
  locks: number;
  errors: string[];
}

/** What is left in the page: iframes, message listeners, pending timers, held or waiting locks, uncaught errors. */
export function leftovers(page: Page): Promise<Leftovers> {
  return page.evaluate(async () => {
    const probe = (
      window as unknown as { __probe: { listeners(): number; timers(): number; errors: string[]; hrefAtToken: string[] } }
    ).__probe;
    const locks = await navigator.locks.query();
    return {
      dirtyAtToken: probe.hrefAtToken.filter((href) => /[?&#](code|state|iss)=/.test(href)),
      iframes: document.querySelectorAll('iframe').length,
      listeners: probe.listeners(),
      timers: probe.timers(),
      locks: (locks.held?.length ?? 0) + (locks.pending?.length ?? 0),
      errors: [...probe.errors],
    };
  });
}

/** The page with no SDK work in flight: what every failing case must return to. */
export const CLEAN: Leftovers = { dirtyAtToken: [], iframes: 0, listeners: 0, timers: 0, locks: 0, errors: [] };

export { openApp };

/** The harness app page's globals, plus what the probe adds. */
export interface AppWindow {
  makeClient(extra?: Record<string, unknown>): PageClient;
  client: PageClient;
  events: { type: string; source?: string; reason?: string; code?: string; sub?: string; fromOtherTab?: boolean }[];
  SsoSpa: { sameOriginPath(target: unknown, fallback?: string): string };
  /** Settles `promise` as `{ ok }` or `{ error }` with the error's code, OAuth error, message, and whether it holds a token. */
  __settle<T>(promise: Promise<T>): Promise<Settled<T>>;
}

export interface PageClient {
  checkSession(options?: Record<string, unknown>): Promise<void>;
  loginWithRedirect(options?: Record<string, unknown>): Promise<void>;
  loginWithPopup(options?: Record<string, unknown>): Promise<void>;
  handleRedirectCallback(url?: string): Promise<{ appState?: unknown; sessionCheck?: string }>;
  getTokenSilently(options?: Record<string, unknown>): Promise<string>;
  getUser(): Promise<{ sub: string } | undefined>;
  isAuthenticated(): Promise<boolean>;
  logout(options?: Record<string, unknown>): Promise<void>;
}

export type Settled<T> = { ok: T; error?: undefined } | { ok?: undefined; error: PageError };

export interface PageError {
  code?: string;
  error?: string;
  errorDescription?: string;
  message: string;
  /** True when a JWT-looking string appears in the message, stack, fields or cause. */
  tokenish: boolean;
}

/**
 * The SDK's traces in the page's storages and cookies. Its `sso-spa.meta.*` keys are not
 * counted: they hold no secret (the provider's public metadata, whether this site signed someone
 * in before, and the markers of used logins: a hash of a spent state and a time, which outlive
 * the session on purpose so that a copied callback tab cannot replay its login).
 */
export function traces(page: Page): Promise<{ local: string[]; session: string[]; cookie: string; href: string }> {
  return page.evaluate(() => ({
    local: Object.keys(localStorage).filter((k) => k.startsWith('sso-spa') && !k.startsWith('sso-spa.meta.')),
    session: Object.keys(sessionStorage).filter((k) => k.startsWith('sso-spa') && !k.startsWith('sso-spa.meta.')),
    cookie: document.cookie,
    href: location.href,
  }));
}

/** Rewrites the `Location` header the IdP sends (e.g. the authorization response's `iss`). */
export function rewriteLocation(res: ServerResponse, rewrite: (location: string) => string): void {
  const setHeader = res.setHeader.bind(res);
  res.setHeader = ((name: string, value: number | string | readonly string[]) =>
    setHeader(name, name.toLowerCase() === 'location' ? rewrite(String(value)) : value)) as ServerResponse['setHeader'];
}

/**
 * The hooks of a Chromium security file, inside its `describe`: the stack is started once for
 * the file and handed to `started`; after each test no token is in the console, no fault is
 * left armed and the test's pages are closed; the stack is stopped at the end.
 */
export function stackPerFile<S extends SecurityStack>(start: () => Promise<S>, pages: Page[], started: (stack: S) => void): void {
  let stack: S | undefined;
  beforeAll(async () => {
    stack = await start();
    started(stack);
  });
  afterEach(async () => {
    if (!stack) return;
    expect(tokenLines(stack.console)).toEqual([]);
    stack.faults.clear();
    for (const page of pages.splice(0)) await page.close();
  });
  afterAll(async () => {
    await stack?.close();
  });
}
