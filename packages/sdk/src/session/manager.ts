import { isNoSessionError, SsoError } from '../errors.js';
import { TabChannel } from '../tab-channel.js';
import { isOneOf, SIGNED_OUT_REASONS } from '../vocabulary.js';
import { trackActivity } from './activity.js';
import { computeDeadlines, type Deadlines, keepAliveAt, maxDefined, minDefined, type SessionTimes } from './deadlines.js';
import { KeepAlive, type RenewalHost, type RenewPurpose } from './keep-alive.js';
import { type ResolvedOptions, resolveOptions, type SessionManagerOptions } from './options.js';
import { instantsAtStart, merge, readShared, type SharedState, sanitize, writeShared } from './shared-state.js';
import { appendEvent, buildSnapshot, sameSnapshot } from './snapshot.js';
import { DeadlineTimer } from './timer.js';
import type {
  RenewalStrategy,
  SessionClient,
  SessionClientEvent,
  SessionEndReason,
  SessionEvent,
  SessionManager,
  SessionSnapshot,
  SessionStatus,
} from './types.js';
import { watchWake } from './wake.js';

/** Input closer together than this is one activity (keeps snapshots and messages to ~1/s). */
const ACTIVITY_RESOLUTION_MS = 1000;

const END_REASONS = [...SIGNED_OUT_REASONS.filter((reason) => reason !== 'logout'), 'absolute'] as readonly SessionEndReason[];

type TabMessage = { type: 'state'; state: SharedState } | { type: 'ended'; reason: SessionEndReason };

class SessionManagerImpl implements SessionManager {
  readonly #client: SessionClient;
  readonly #options: ResolvedOptions;
  readonly #listeners = new Set<(snapshot: SessionSnapshot) => void>();
  readonly #timer: DeadlineTimer;
  readonly #channel: TabChannel<TabMessage>;
  readonly #stopActivity: () => void;
  readonly #unsubscribeClient: () => void;
  readonly #stopWake: () => void;
  readonly #renewer: KeepAlive;

  #shared: SharedState;
  #authenticated = false;
  #ended: SessionEndReason | undefined;
  #tokenIssuedAt: number | undefined;
  #tokenExpiresAt: number | undefined;
  /** Last top-level round trip (redirect, popup, silent redirect) in this tab. */
  #topLevelAt: number | undefined;
  /** Input seen but not yet published (see ACTIVITY_RESOLUTION_MS). */
  #pendingActivityAt: number | undefined;
  #localActivityAt: number | undefined;
  #inflight: Promise<void> | undefined;
  #lastKeepAliveAttemptAt: number | undefined;
  #lastFocusCheckAt: number | undefined;
  #probeNeeded = false;
  #ending = false;
  #destroyed = false;
  #events: readonly SessionEvent[] = [];
  #status: SessionStatus = 'signed_out';
  #snapshot: SessionSnapshot;

  constructor(client: SessionClient, options: SessionManagerOptions) {
    this.#client = client;
    this.#options = resolveOptions(options);
    const { platform, storageKey } = this.#options;
    this.#shared = readShared(platform.storage('local'), `${storageKey}:state`);
    this.#snapshot = this.#buildSnapshot(computeDeadlines(this.#times(), this.#options));
    this.#timer = new DeadlineTimer(platform, () => this.#update());
    this.#renewer = new KeepAlive(client, this.#renewalHost());
    this.#channel = new TabChannel<TabMessage>(platform, storageKey, (message) => this.#onTabMessage(message));
    this.#unsubscribeClient = client.subscribe((event) => this.#onClientEvent(event));
    this.#stopActivity = trackActivity(platform, this.#options.activityEvents, (at) => this.#onInput(at));
    this.#stopWake = watchWake(platform, (focused) => {
      this.#update();
      if (focused) this.#focusCheck();
    });
    void this.#init();
  }

  // ---- public API ------------------------------------------------------------------------

  subscribe(listener: (snapshot: SessionSnapshot) => void): () => void {
    // Wrapped so that subscribing one function twice gives two independent subscriptions.
    const entry = (snapshot: SessionSnapshot) => listener(snapshot);
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  getSnapshot(): SessionSnapshot {
    return this.#snapshot;
  }

  async continueSession(): Promise<void> {
    if (this.#destroyed || !this.#authenticated || this.#ended) {
      throw new SsoError('login_required', 'There is no session to continue');
    }
    // Choosing to continue is the clearest activity there is, even during the warning.
    this.#recordActivity(this.#options.platform.now(), true);
    if (this.#inflight) await this.#inflight.catch(() => undefined);
    await this.#renew('continue');
  }

  async logout(options?: { logoutParams?: { returnTo?: string; [key: string]: unknown } }): Promise<void> {
    await this.#client.logout(options);
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#timer.disarm();
    this.#channel.close();
    this.#stopActivity();
    this.#stopWake();
    this.#unsubscribeClient();
    this.#listeners.clear();
  }

  // ---- inputs ------------------------------------------------------------------------------

  async #init(): Promise<void> {
    let authenticated = false;
    let claims: Awaited<ReturnType<SessionClient['getIdTokenClaims']>>;
    try {
      authenticated = await this.#client.isAuthenticated();
      claims = authenticated ? await this.#client.getIdTokenClaims() : undefined;
    } catch {
      authenticated = false;
    }
    // A `tokens` event may have arrived meanwhile: it is fresher than the cache.
    if (this.#destroyed || this.#authenticated || this.#ended) return;
    this.#authenticated = authenticated;
    if (authenticated && claims) {
      if (typeof claims.iat === 'number') this.#tokenIssuedAt ??= claims.iat * 1000;
      if (typeof claims.exp === 'number') this.#tokenExpiresAt ??= claims.exp * 1000;
      this.#share(instantsAtStart(this.#shared, claims, this.#options.ssoIdleMs));
      this.#probeNeeded = this.#options.probeProvider && this.#shared.providerReachable === undefined;
      // Created just after handleRedirectCallback(), the manager missed the login's `tokens`
      // event: a fresh ID token stands in for it, so the probe can tell blocked cookies apart.
      this.#topLevelAt ??= this.#tokenIssuedAt;
    }
    this.#update();
  }

  #onClientEvent(event: SessionClientEvent): void {
    if (this.#destroyed) return;
    if (event.type === 'tokens') this.#onTokens(event);
    else if (event.type === 'signed_out')
      this.#onSignedOut(event.reason === 'logout' ? undefined : event.reason, event.fromOtherTab);
    else if (event.type === 'renewal_failed' && !this.#renewer.busy) {
      this.#log({ type: 'renewal_failed', detail: event.code });
      // The app's own getTokenSilently() met a provider without our session: same rules as
      // ours. Where the iframe is known not to reach the provider, its answer says nothing.
      if (isNoSessionError(event) && this.#strategy === 'iframe') void this.#renewer.onLoginRequired('provider');
    }
  }

  #onTokens(event: Extract<SessionClientEvent, { type: 'tokens' }>): void {
    const wasSignedIn = this.#authenticated && !this.#ended;
    this.#authenticated = true;
    this.#ended = undefined;
    this.#ending = false;
    this.#tokenIssuedAt = event.at;
    this.#tokenExpiresAt = Math.min(event.idTokenExpiresAt, event.accessTokenExpiresAt);
    const topLevel = event.source !== 'iframe' && event.source !== 'refresh_token';
    const patch: SharedState = {};
    const slides = event.throughProvider || (event.source === 'refresh_token' && this.#options.refreshExtendsSession);
    // The provider slid its session when it received the request, which is before `at` (the
    // tokens' arrival): for our own renewal its start is the instant that never overstates.
    // Another tab's manager shares its own instant, which beats the client's echo of `at`.
    if (slides && !(event.fromOtherTab && this.#channel.connected)) {
      const reachedProvider = !event.fromOtherTab && this.#renewer.busy ? (this.#renewer.startedAt ?? event.at) : event.at;
      patch.providerRoundTripAt = reachedProvider - this.#options.marginMs;
    }
    if (!wasSignedIn && (topLevel || this.#shared.loginAt === undefined)) patch.loginAt = event.at;
    if (event.source === 'iframe' && !event.fromOtherTab) {
      Object.assign(patch, { strategy: 'iframe', providerReachable: true, strategyAt: event.at } satisfies SharedState);
    }
    if (topLevel && !event.fromOtherTab) {
      this.#topLevelAt = event.at;
      // Whether this browser lets the provider answer silently is unknown until tried.
      this.#probeNeeded = this.#options.probeProvider;
    }
    this.#share(patch);
    this.#log({
      type: wasSignedIn ? 'renewed' : 'signed_in',
      detail: event.throughProvider ? `${event.source}, session extended` : event.source,
      fromOtherTab: event.fromOtherTab,
    });
    this.#update();
  }

  #onSignedOut(reason: SessionEndReason | undefined, fromOtherTab: boolean): void {
    const wasLive = this.#authenticated && !this.#ended;
    this.#authenticated = false;
    // An `absolute` or `ended_elsewhere` set here first is more precise than the client's echo.
    if (reason !== undefined) this.#ended ??= reason;
    else this.#ended = undefined;
    this.#tokenExpiresAt = undefined;
    this.#tokenIssuedAt = undefined;
    this.#forgetSession();
    if (wasLive) this.#log({ type: reason ? 'expired' : 'signed_out', detail: this.#ended, fromOtherTab });
    this.#update();
  }

  #onTabMessage(message: TabMessage): void {
    if (this.#destroyed) return;
    if (message.type === 'state') {
      const previous = this.#shared;
      this.#shared = merge(this.#shared, sanitize(message.state));
      if (previous !== this.#shared) {
        if (previous.strategy !== this.#shared.strategy) this.#logStrategy(true);
        this.#update();
      }
    } else if (message.type === 'ended' && isOneOf(END_REASONS, message.reason) && this.#authenticated && !this.#ended) {
      // The client in that tab clears the cache everywhere; this only keeps the reason.
      this.#ended = message.reason;
      this.#log({ type: 'expired', detail: message.reason, fromOtherTab: true });
      this.#update();
    }
  }

  #onInput(at: number): void {
    // During the warning only an explicit choice counts: a mouse moving towards "Log out"
    // must not extend the session.
    if (this.#destroyed || this.#status === 'warning') return;
    this.#recordActivity(at, false);
  }

  #recordActivity(at: number, force: boolean): void {
    this.#localActivityAt = at;
    const published = this.#shared.lastActivityAt;
    if (!force && published !== undefined && at - published < ACTIVITY_RESOLUTION_MS) {
      this.#pendingActivityAt = at;
      // Cheap path: only look further when a renewal could be due.
      const d = computeDeadlines(this.#times(), this.#options);
      const due = minDefined(d.tokenRenewAt, d.ssoRenewAt);
      if (due === undefined || at < due || this.#inflight) return;
    }
    this.#pendingActivityAt = undefined;
    this.#share({ lastActivityAt: at });
    this.#update();
  }

  // ---- decisions ---------------------------------------------------------------------------

  #times(): SessionTimes {
    return {
      providerRoundTripAt: this.#shared.providerRoundTripAt,
      loginAt: this.#shared.loginAt,
      lastActivityAt: maxDefined(this.#shared.lastActivityAt, this.#pendingActivityAt),
      tokenIssuedAt: this.#tokenIssuedAt,
      tokenExpiresAt: this.#tokenExpiresAt,
    };
  }

  get #strategy(): RenewalStrategy {
    return this.#shared.strategy ?? 'iframe';
  }

  /** Whether a renewal the manager can make silently slides the SSO session. */
  get #canSlide(): boolean {
    return this.#strategy === 'iframe' || (this.#strategy === 'refresh_token' && this.#options.refreshExtendsSession);
  }

  /** Recomputes the state from the clock, acts on what is due, re-arms the timer, publishes. */
  #update(): void {
    if (this.#destroyed) return;
    const now = this.#options.platform.now();
    const d = computeDeadlines(this.#times(), this.#options);
    let status: SessionStatus;
    if (this.#ended) status = 'expired';
    else if (!this.#authenticated) status = 'signed_out';
    else if (d.deadline !== undefined && now >= d.deadline) {
      this.#end(d.warningFor === 'absolute' ? 'absolute' : 'idle');
      return;
    } else if (d.warnAt !== undefined && now >= d.warnAt) status = 'warning';
    else status = 'active';

    if (status === 'warning' && this.#status !== 'warning') this.#log({ type: 'warning', detail: d.warningFor });
    if (status === 'active' && this.#status === 'warning') this.#log({ type: 'continued' });
    this.#status = status;

    let wakeAt: number | undefined;
    if (status === 'active' || status === 'warning') {
      wakeAt = d.deadline;
      if (status === 'active') wakeAt = minDefined(wakeAt, d.warnAt, this.#keepAlive(now, d));
      else if (d.deadline !== undefined) {
        // The next whole-second change of the countdown.
        const left = Math.ceil((d.deadline - now) / 1000);
        wakeAt = minDefined(wakeAt, d.deadline - (left - 1) * 1000);
      }
      if (this.#probeNeeded && !this.#inflight && status === 'active') {
        this.#probeNeeded = false;
        void this.#renew('probe').catch(() => undefined);
      }
    }
    this.#timer.arm(wakeAt);
    this.#publish(this.#buildSnapshot(d));
  }

  /** Starts a keep-alive renewal when due; returns when the next one could be due. */
  #keepAlive(now: number, d: Deadlines): number | undefined {
    if (this.#strategy === 'redirect' || this.#inflight) return undefined;
    const due = keepAliveAt(d, {
      activityAt: this.#times().lastActivityAt,
      localActivityAt: this.#localActivityAt,
      tokenIssuedAt: this.#tokenIssuedAt,
      providerRoundTripAt: this.#shared.providerRoundTripAt,
      canSlide: this.#canSlide,
      lastAttemptAt: this.#lastKeepAliveAttemptAt,
    });
    if (due === undefined || now < due) return due;
    this.#lastKeepAliveAttemptAt = now;
    void this.#renew('keep_alive').catch(() => undefined);
    return undefined;
  }

  #focusCheck(): void {
    const now = this.#options.platform.now();
    if (this.#status !== 'active' || this.#inflight || this.#strategy === 'redirect') return;
    if (this.#lastFocusCheckAt !== undefined && now - this.#lastFocusCheckAt < this.#options.focusCheckThrottleMs) return;
    this.#lastFocusCheckAt = now;
    this.#log({ type: 'focus_check' });
    void this.#renew('focus_check').catch(() => undefined);
  }

  // ---- renewals ----------------------------------------------------------------------------

  #renew(purpose: RenewPurpose): Promise<void> {
    const run = this.#renewer.renew(purpose).finally(() => {
      if (this.#inflight === run) this.#inflight = undefined;
      this.#update();
    });
    this.#inflight = run;
    this.#update();
    return run;
  }

  #renewalHost(): RenewalHost {
    return {
      now: () => this.#options.platform.now(),
      currentUrl: () => this.#options.platform.currentUrl(),
      state: () => ({
        strategy: this.#strategy,
        canSlide: this.#canSlide,
        providerReachable: this.#shared.providerReachable,
        topLevelAt: this.#topLevelAt,
        alive: !this.#destroyed && this.#authenticated && !this.#ended,
      }),
      slid: (at) =>
        this.#share({ providerRoundTripAt: maxDefined(this.#shared.providerRoundTripAt, at - this.#options.marginMs) }),
      verdict: (strategy, providerReachable, at) => {
        if (this.#strategy === strategy && this.#shared.providerReachable === providerReachable) return;
        this.#share({ strategy, providerReachable, strategyAt: at });
        this.#logStrategy(false);
      },
      log: (event) => this.#log(event),
      end: (reason) => this.#end(reason),
    };
  }

  #logStrategy(fromOtherTab: boolean): void {
    this.#log({
      type: 'strategy',
      detail: this.#strategy,
      fromOtherTab,
    });
  }

  #end(reason: SessionEndReason): void {
    if (this.#destroyed || this.#ending || this.#ended) return;
    this.#ending = true;
    this.#ended = reason;
    this.#log({ type: 'expired', detail: reason });
    this.#channel.post({ type: 'ended', reason });
    this.#forgetSession();
    void this.#client.clearSession(reason === 'absolute' ? 'idle' : reason).catch(() => undefined);
    this.#update();
  }

  // ---- state -------------------------------------------------------------------------------

  /** Instants of an ended session must not leak into the next one; the strategy verdict is about this browser and stays. */
  #forgetSession(): void {
    if (this.#shared.providerRoundTripAt === undefined && this.#shared.loginAt === undefined) return;
    this.#shared = {
      strategy: this.#shared.strategy,
      providerReachable: this.#shared.providerReachable,
      strategyAt: this.#shared.strategyAt,
    };
    writeShared(this.#options.platform.storage('local'), `${this.#options.storageKey}:state`, this.#shared);
  }

  #share(patch: SharedState): void {
    if (this.#destroyed) return;
    const next = merge(this.#shared, { ...patch, strategyAt: patch.strategy ? patch.strategyAt : undefined });
    if (next === this.#shared) return;
    this.#shared = next;
    writeShared(this.#options.platform.storage('local'), `${this.#options.storageKey}:state`, next);
    this.#channel.post({ type: 'state', state: next });
  }

  #log(event: Omit<SessionEvent, 'at'>): void {
    this.#events = appendEvent(this.#events, { at: this.#options.platform.now(), ...event }, this.#options.timelineSize);
  }

  #buildSnapshot(deadlines: Deadlines): SessionSnapshot {
    return buildSnapshot({
      now: this.#options.platform.now(),
      status: this.#status,
      ended: this.#ended,
      deadlines,
      tokenExpiresAt: this.#tokenExpiresAt,
      lastActivityAt: this.#shared.lastActivityAt,
      providerRoundTripAt: this.#shared.providerRoundTripAt,
      strategy: this.#strategy,
      providerReachable: this.#shared.providerReachable,
      renewing: this.#inflight !== undefined,
      events: this.#events,
    });
  }

  #publish(next: SessionSnapshot): void {
    if (sameSnapshot(next, this.#snapshot)) return;
    this.#snapshot = next;
    for (const listener of [...this.#listeners]) {
      try {
        listener(next);
      } catch {
        // One broken subscriber must not stop the others or the timers.
      }
    }
  }
}

/**
 * Creates the session manager for one `SsoClient`: it tracks activity in every tab, keeps an
 * active user's SSO session sliding, warns an idle user before it ends, and ends the app
 * session everywhere when it has ended. Nothing runs until it is called; `destroy()` undoes it.
 *
 * @example
 * const session = createSessionManager(client, { ssoIdleTimeoutSeconds: 300, warnBeforeSeconds: 60 });
 * session.subscribe(() => render(session.getSnapshot()));
 */
export function createSessionManager(client: SessionClient, options: SessionManagerOptions = {}): SessionManager {
  return new SessionManagerImpl(client, options);
}
