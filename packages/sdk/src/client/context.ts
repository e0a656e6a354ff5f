import { Emitter } from '../emitter.js';
import { SsoError } from '../errors.js';
import { scopedName } from '../names.js';
import { runIframe } from '../navigators/iframe.js';
import type { SsoClientOptions } from '../options.js';
import { createPlatform, type Platform } from '../platform.js';
import { normalizeScope } from '../protocol/authorize.js';
import type { ProviderContext } from '../protocol/token.js';
import { LocalStorageCache, MemoryCache } from '../store/cache-store.js';
import { timedFetch } from '../store/http.js';
import { SingleFlight } from '../store/single-flight.js';
import { TokenCache } from '../store/token-cache.js';
import { TabChannel } from '../tab-channel.js';
import type { AuthorizationParams, SessionCheckResult, SignedOutReason, SsoClientEvent } from '../types.js';
import { isOneOf, SIGNED_OUT_REASONS, TOKEN_SOURCES } from '../vocabulary.js';
import { ProviderDiscovery } from './discovery.js';
import { loadChunk } from './load-chunk.js';
import { ReturningMark } from './returning-mark.js';
import type { DpopTools } from './token-binding.js';

/** What logout took from the cache before clearing it. */
export interface EndedSession {
  user: Awaited<ReturnType<TokenCache['user']>>;
  refreshTokens: string[];
}

/** A cross-tab message. Never carries a token. */
export type TabMessage =
  | { t: 'signed_out'; reason: SignedOutReason; sub?: string }
  | { t: 'tokens'; event: Extract<SsoClientEvent, { type: 'tokens' }> };

/**
 * A synchronous clock from a provider that may answer with a promise: a number is used as it
 * is; a promise sets the offset from `Date.now()` that the following readings use.
 */
function followClock(provider: () => number | Promise<number>): () => number {
  let offset = 0;
  return () => {
    const value = provider();
    if (typeof value === 'number') return value;
    void value.then((time) => {
      offset = time - Date.now();
    });
    return Date.now() + offset;
  };
}

/**
 * The shared state the client's flows work on: options with defaults, the platform seam,
 * the cache, events and the provider's metadata. Internal.
 */
export class ClientContext {
  readonly options: SsoClientOptions;
  readonly platform: Platform;
  readonly cache: TokenCache;
  readonly events = new Emitter<SsoClientEvent>();
  readonly flights = new SingleFlight();
  readonly discovery: ProviderDiscovery;
  /** See {@link ReturningMark}. */
  readonly returning: ReturningMark;
  #dpop: Promise<DpopTools> | undefined;
  #defaultTarget: { audience: string; scope: string } | undefined;
  #channel: TabChannel<TabMessage> | undefined;
  #epoch = 0;
  /** An ID token the provider refused as `id_token_hint` (stale keys): silent requests go without it. */
  refusedHint: string | undefined;
  /** What the latest session check found; see {@link SsoClient.lastSessionCheck}. */
  lastSessionCheck: SessionCheckResult | undefined;

  constructor(options: SsoClientOptions) {
    if (!options?.issuer || !options.clientId) throw new SsoError('invalid_options', 'issuer and clientId are required');
    this.options = options;
    this.platform = createPlatform({
      iframe: runIframe,
      // Loaded with the popup flows, on first use: most pages never open one.
      popup: (request) => loadChunk(() => import('../navigators/popup.js')).then(({ runPopup }) => runPopup(request)),
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.now ? { now: options.now } : options.nowProvider ? { now: followClock(options.nowProvider) } : {}),
      ...options.platform,
    });
    const location = options.cacheLocation ?? 'memory';
    const store =
      location === 'memory'
        ? new MemoryCache()
        : location === 'localstorage' || location === 'sessionstorage'
          ? new LocalStorageCache(this.platform.storage(location === 'localstorage' ? 'local' : 'session'))
          : location;
    this.cache = new TokenCache(store, options.issuer, options.clientId, () => this.now(), options.expiryMarginSeconds ?? 60);
    this.returning = new ReturningMark(() => this.platform.storage('local'), options.issuer, options.clientId);
    this.discovery = new ProviderDiscovery(options.issuer, this.platform, () => this.fetchWithTimeout());
  }

  /** The cross-tab lock under which tokens are renewed (and refresh tokens revoked). */
  get renewalLock(): string {
    return scopedName('', this.options.issuer, this.options.clientId);
  }

  now(): number {
    return this.platform.now();
  }

  get redirectUri(): string | undefined {
    return this.options.authorizationParams?.redirect_uri;
  }

  /** Audience and scope of a request, with the client's defaults. */
  resolve(params: AuthorizationParams | undefined): { audience: string; scope: string } {
    // The common call names neither: its answer is the same every time (the cache-hit path).
    if (!params) {
      this.#defaultTarget ??= this.resolve({});
      return this.#defaultTarget;
    }
    const defaults = this.options.authorizationParams ?? {};
    const audience = String(params?.audience ?? defaults.audience ?? 'default');
    const base = String(params?.scope ?? defaults.scope ?? 'openid profile email');
    return { audience, scope: normalizeScope(base, this.options.useRefreshTokens ? ['offline_access'] : []) };
  }

  /** Authorization parameters of a request: defaults, then the call's, with audience and scope resolved. */
  authorizationParams(params: AuthorizationParams | undefined): AuthorizationParams {
    const { audience, scope } = this.resolve(params);
    return { ...this.options.authorizationParams, ...params, audience: audience === 'default' ? undefined : audience, scope };
  }

  fetchWithTimeout(): typeof fetch {
    return timedFetch(this.platform, (this.options.httpTimeoutInSeconds ?? 10) * 1000);
  }

  /** The provider's metadata (see {@link ProviderDiscovery}) with this client's request context. */
  async provider(): Promise<ProviderContext> {
    const [as, dpop] = await Promise.all([this.discovery.metadata(), this.dpop()]);
    const { clientId, extraTokenParams } = this.options;
    const fetch = this.fetchWithTimeout();
    return { as, clientId, fetch, extraTokenParams, dpopFetch: dpop?.tokenRequestFetch(fetch) };
  }

  /**
   * DPoP (`useDpop`), loaded on first use with `import()`, so that apps without it never
   * download it; `undefined` without `useDpop`. A chunk that failed to load is tried again.
   */
  dpop(): Promise<DpopTools> | undefined {
    if (!this.options.useDpop) return undefined;
    const { issuer, clientId } = this.options;
    this.#dpop ??= loadChunk(() => import('./token-binding.js')).then((binding) => binding.loadDpop(issuer, clientId));
    this.#dpop.catch(() => {
      this.#dpop = undefined;
    });
    return this.#dpop;
  }

  /** See {@link ProviderDiscovery.forget}. */
  forgetProvider(error?: SsoError): void {
    this.discovery.forget(error);
  }

  /**
   * Counts the ends of the session seen by this tab (its own and the other tabs'). A renewal
   * remembers it when it starts: tokens that arrive after a logout elsewhere must not bring
   * the session back.
   */
  get epoch(): number {
    return this.#epoch;
  }

  /** Records and announces what a session check found. */
  reportSessionCheck(status: SessionCheckResult['status'], error?: SsoError): void {
    const at = this.now();
    this.lastSessionCheck = { status, ...(error ? { error } : {}), at };
    this.events.emit({ type: 'session_check', status, ...(error ? { code: error.code } : {}), at });
  }

  /** Logout's local part: what the provider must hear of (user, refresh tokens), then {@link clearSession}. */
  async endSession(): Promise<EndedSession> {
    const user = await this.cache.user();
    const refreshTokens = await this.cache.refreshTokens().catch(() => []);
    await this.clearSession('logout');
    return { user, refreshTokens };
  }

  /** Ends this site's session in every tab: clears the cache, broadcasts, emits `signed_out`. */
  async clearSession(reason: SignedOutReason): Promise<void> {
    if (reason !== 'user_changed') this.returning.set(false);
    this.#epoch++;
    const user = await this.cache.user();
    await this.cache.clear();
    // The next user's tokens must not be bound to the key of this session's (a user switch
    // keeps it: the new user's tokens were just bound to it).
    if (reason !== 'user_changed') await this.#dpop?.then((dpop) => dpop.prover.reset()).catch(() => undefined);
    this.post({ t: 'signed_out', reason, ...(user ? { sub: user.sub } : {}) });
    this.events.emit({ type: 'signed_out', reason, fromOtherTab: false });
  }

  /** Opens the cross-tab channel on first use (never at import or construction time). */
  connect(): void {
    this.#channel ??= new TabChannel<TabMessage>(this.platform, this.renewalLock, (message) => {
      void this.#receive(message).catch(() => {});
    });
  }

  /** Tells the other tabs (see {@link TabMessage}). */
  post(message: TabMessage): void {
    this.connect();
    this.#channel?.post(message);
  }

  async #receive(message: unknown): Promise<void> {
    if (typeof message !== 'object' || message === null) return;
    const m = message as TabMessage;
    if (m.t === 'signed_out' && isOneOf(SIGNED_OUT_REASONS, m.reason)) {
      // Another tab already cleared a shared cache; a per-tab cache is cleared here. Only the
      // signed-out user's entries go, so a new user's fresh tokens survive.
      this.#epoch++;
      await this.cache.clear(typeof m.sub === 'string' ? m.sub : undefined);
      this.events.emit({ type: 'signed_out', reason: m.reason, fromOtherTab: true });
    } else if (
      m.t === 'tokens' &&
      typeof m.event === 'object' &&
      m.event?.type === 'tokens' &&
      typeof m.event.sub === 'string' &&
      isOneOf(TOKEN_SOURCES, m.event.source)
    ) {
      const user = await this.cache.user();
      if (user && user.sub !== m.event.sub) {
        await this.cache.clear(user.sub);
        this.events.emit({ type: 'signed_out', reason: 'user_changed', fromOtherTab: true });
      }
      const e = m.event;
      this.events.emit({
        type: 'tokens',
        source: e.source,
        throughProvider: e.throughProvider === true,
        at: Number(e.at),
        idTokenExpiresAt: Number(e.idTokenExpiresAt),
        accessTokenExpiresAt: Number(e.accessTokenExpiresAt),
        sub: e.sub,
        fromOtherTab: true,
      });
    }
  }
}
