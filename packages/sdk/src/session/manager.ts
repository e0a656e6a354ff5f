import { SsoError } from '../errors.js';
import { ActivityTracker } from './activity.js';
import { TabChannel } from './channel.js';
import { computeDeadlines, type Deadlines, maxDefined, minDefined, type SessionTimes } from './deadlines.js';
import { type ResolvedOptions, resolveOptions, type SessionManagerOptions } from './options.js';
import { merge, readShared, type SharedState, sanitize, writeShared } from './shared-state.js';
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

/** Input closer together than this is one activity (keeps snapshots and messages to ~1/s). */
const ACTIVITY_RESOLUTION_MS = 1000;
/** A silent `login_required` this soon after a top-level round trip means blocked cookies, not a logout. */
const RECENT_TOP_LEVEL_MS = 60_000;
/** A failed keep-alive is retried no sooner than this. */
const RETRY_MS = 5000;
/** Tabs without the latest input let the tab with it renew first. */
const FOLLOWER_GRACE_MS = 1500;

type TabMessage = { type: 'state'; state: SharedState } | { type: 'ended'; reason: SessionEndReason };

type RenewPurpose = 'keep_alive' | 'continue' | 'focus_check' | 'probe';

/** Reads an error's `code` without `instanceof`: the core's `SsoError` class lives in another bundle. */
const codeOf = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

class SessionManagerImpl implements SessionManager {
  readonly #client: SessionClient;
  readonly #options: ResolvedOptions;
  readonly #listeners = new Set<(snapshot: SessionSnapshot) => void>();
  readonly #timer: DeadlineTimer;
  readonly #channel: TabChannel<TabMessage>;
  readonly #activity: ActivityTracker;
  readonly #unsubscribeClient: () => void;
  readonly #onWake: (event: Event) => void;

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
  #ownRenewals = 0;
  #callStartedAt: number | undefined;
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
    this.#shared = readShared(platform.storage, `${storageKey}:state`);
    this.#snapshot = this.#buildSnapshot(computeDeadlines(this.#times(), this.#options));
    this.#timer = new DeadlineTimer(platform, () => this.#update());
    this.#channel = new TabChannel<TabMessage>(platform, storageKey, (message) => this.#onTabMessage(message));
    this.#unsubscribeClient = client.subscribe((event) => this.#onClientEvent(event));
    this.#activity = new ActivityTracker(platform, this.#options.activityEvents, (at) => this.#onInput(at));
    // Timers may have slept with the device or been throttled in a background tab: every
    // sign of life re-checks the deadlines against the clock.
    this.#onWake = (event) => {
      if (event.type === 'visibilitychange' && platform.document?.visibilityState === 'hidden') return;
      this.#update();
      if (event.type === 'focus' || event.type === 'visibilitychange') this.#focusCheck();
    };
    platform.document?.addEventListener('visibilitychange', this.#onWake);
    platform.document?.addEventListener('resume', this.#onWake);
    for (const type of ['focus', 'pageshow', 'online']) platform.window?.addEventListener(type, this.#onWake);
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
    const { platform } = this.#options;
    this.#timer.disarm();
    this.#channel.close();
    this.#activity.stop();
    this.#unsubscribeClient();
    platform.document?.removeEventListener('visibilitychange', this.#onWake);
    platform.document?.removeEventListener('resume', this.#onWake);
    for (const type of ['focus', 'pageshow', 'online']) platform.window?.removeEventListener(type, this.#onWake);
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
      // The shared view belongs to this session unless a newer login (auth_time) or tokens
      // issued after it had already gone idle say otherwise. Without it, the ID token's issue
      // time is the best estimate of the last round trip; the probe replaces it with a real one.
      const authTime = typeof claims.auth_time === 'number' ? claims.auth_time * 1000 : undefined;
      const issued = this.#tokenIssuedAt;
      const known = this.#shared.providerRoundTripAt;
      const stale =
        known === undefined ||
        (issued !== undefined && known + this.#options.ssoIdleMs < issued) ||
        (authTime !== undefined && known < authTime);
      this.#share({
        providerRoundTripAt: stale ? issued : known,
        loginAt: stale ? (authTime ?? issued) : (this.#shared.loginAt ?? authTime ?? issued),
      });
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
    else if (event.type === 'renewal_failed' && this.#ownRenewals === 0) {
      this.#log({ type: 'renewal_failed', detail: event.code });
      // The app's own getTokenSilently() met a provider without our session: same rules as ours.
      if (event.code === 'login_required') void this.#onLoginRequired('provider');
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
    // Another tab's manager shares its own instant, which beats the core's echo of `at`.
    if (slides && !(event.fromOtherTab && this.#channel.connected)) {
      patch.providerRoundTripAt = !event.fromOtherTab && this.#ownRenewals > 0 ? (this.#callStartedAt ?? event.at) : event.at;
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
    // An `absolute` or `ended_elsewhere` set here first is more precise than the core's echo.
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
    } else if (message.type === 'ended' && this.#authenticated && !this.#ended) {
      // The core in that tab clears the cache everywhere; this only keeps the reason.
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
    if (this.#strategy === 'redirect') return undefined;
    const activityAt = this.#times().lastActivityAt;
    if (activityAt === undefined) return undefined;
    // Tokens are worth renewing only for a user who has been active since they were issued,
    // and the SSO session only if the user has been active since it last slid.
    const tokensDue = d.tokenRenewAt !== undefined && activityAt > (this.#tokenIssuedAt ?? 0) ? d.tokenRenewAt : undefined;
    const ssoDue =
      this.#canSlide && d.ssoRenewAt !== undefined && activityAt > (this.#shared.providerRoundTripAt ?? 0)
        ? d.ssoRenewAt
        : undefined;
    let due = minDefined(tokensDue, ssoDue);
    if (due === undefined) return undefined;
    // The tab with the latest input renews; the others step in only if it does not.
    if ((this.#localActivityAt ?? 0) < activityAt) due += FOLLOWER_GRACE_MS;
    if (this.#lastKeepAliveAttemptAt !== undefined) due = Math.max(due, this.#lastKeepAliveAttemptAt + RETRY_MS);
    if (this.#inflight) return undefined;
    if (now < due) return due;
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
    const run = this.#renewOnce(purpose).finally(() => {
      if (this.#inflight === run) this.#inflight = undefined;
      this.#update();
    });
    this.#inflight = run;
    this.#update();
    return run;
  }

  async #renewOnce(purpose: RenewPurpose): Promise<void> {
    if (purpose === 'continue' && this.#strategy !== 'iframe' && !this.#canSlide && this.#client.loginWithRedirect) {
      // The hidden iframe is known not to reach the provider and refresh tokens do not slide
      // the SSO session: only a top-level round trip can extend it, and the user asked for it.
      await this.#client.loginWithRedirect({ authorizationParams: { prompt: 'none' } });
      return;
    }
    // No iframe that is known to fail, except the probe whose job is to find out.
    const channel = purpose === 'probe' || this.#strategy === 'iframe' ? 'provider' : 'refresh_token';
    const startedAt = this.#options.platform.now();
    try {
      await this.#call(channel);
    } catch (error) {
      const code = codeOf(error);
      this.#log({ type: 'renewal_failed', detail: `${channel}: ${code ?? 'error'}` });
      if (code === 'login_required' || code === 'invalid_grant') {
        const alive = await this.#onLoginRequired(channel, purpose === 'probe');
        if (alive && (purpose !== 'continue' || this.#canSlide)) return;
        if (alive && this.#client.loginWithRedirect) {
          await this.#client.loginWithRedirect({ authorizationParams: { prompt: 'none' } });
          return;
        }
      }
      throw error;
    }
    if (channel === 'provider') {
      // The core's `tokens` event normally said so already; the start of the request is the
      // conservative instant at which the provider slid the session.
      this.#share({ providerRoundTripAt: maxDefined(this.#shared.providerRoundTripAt, startedAt) });
      if (this.#strategy !== 'iframe' || this.#shared.providerReachable !== true) {
        this.#share({ strategy: 'iframe', providerReachable: true, strategyAt: startedAt });
        this.#logStrategy(false);
      }
    }
  }

  async #call(via: 'provider' | 'refresh_token'): Promise<void> {
    this.#ownRenewals++;
    this.#callStartedAt = this.#options.platform.now();
    try {
      await this.#client.getTokenSilently({ cacheMode: 'off', renewVia: via });
    } finally {
      this.#ownRenewals--;
    }
  }

  /**
   * A `login_required` (or a refused refresh token) means either that the SSO session ended
   * elsewhere, or — for the hidden iframe — that this browser withholds the provider's
   * cookie from third-party frames. A working refresh token or a top-level login moments ago
   * proves the session alive, so that is a blocked iframe: say so and renew by refresh token.
   * Returns true when the session is still alive.
   */
  async #onLoginRequired(via: 'provider' | 'refresh_token', probing = false): Promise<boolean> {
    if (this.#ended || !this.#authenticated) return false;
    // Once the iframe has worked in this browser its `login_required` is believed; only the
    // probe after a new login asks the question afresh.
    const iframeTrusted = !probing && this.#shared.providerReachable === true;
    if (via === 'provider' && !iframeTrusted) {
      const now = this.#options.platform.now();
      try {
        await this.#call('refresh_token');
        this.#setStrategy('refresh_token', now);
        return true;
      } catch (error) {
        const code = codeOf(error);
        const recentTopLevel = this.#topLevelAt !== undefined && now - this.#topLevelAt < RECENT_TOP_LEVEL_MS;
        if (code !== 'login_required' && code !== 'invalid_grant' && recentTopLevel) {
          // No refresh token here: only a top-level redirect can reach the provider.
          this.#setStrategy('redirect', now);
          return true;
        }
      }
    }
    this.#end('ended_elsewhere');
    return false;
  }

  #setStrategy(strategy: RenewalStrategy, at: number): void {
    if (this.#strategy === strategy && this.#shared.providerReachable === false) return;
    this.#share({ strategy, providerReachable: false, strategyAt: at });
    this.#logStrategy(false);
  }

  #logStrategy(fromOtherTab: boolean): void {
    this.#log({
      type: 'strategy',
      detail: `${this.#strategy}${this.#shared.providerReachable === false ? ' (provider not reachable silently)' : ''}`,
      fromOtherTab,
    });
  }

  #end(reason: SessionEndReason): void {
    if (this.#ending || this.#ended) return;
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
    writeShared(this.#options.platform.storage, `${this.#options.storageKey}:state`, this.#shared);
  }

  #share(patch: SharedState): void {
    const next = merge(this.#shared, { ...patch, strategyAt: patch.strategy ? patch.strategyAt : undefined });
    if (next === this.#shared) return;
    this.#shared = next;
    writeShared(this.#options.platform.storage, `${this.#options.storageKey}:state`, next);
    this.#channel.post({ type: 'state', state: next });
  }

  #log(event: Omit<SessionEvent, 'at'>): void {
    const entry: SessionEvent = { at: this.#options.platform.now(), ...event };
    this.#events = [...this.#events, entry].slice(-this.#options.timelineSize);
  }

  #buildSnapshot(d: Deadlines): SessionSnapshot {
    const live = this.#status === 'active' || this.#status === 'warning';
    const now = this.#options.platform.now();
    return {
      status: this.#status,
      secondsLeft:
        this.#status === 'warning' && d.deadline !== undefined ? Math.max(0, Math.ceil((d.deadline - now) / 1000)) : undefined,
      reason: this.#status === 'expired' ? this.#ended : undefined,
      warningFor: this.#status === 'warning' ? d.warningFor : undefined,
      ssoIdleDeadline: live ? d.ssoIdleDeadline : undefined,
      absoluteDeadline: live ? d.absoluteDeadline : undefined,
      appIdleDeadline: live ? d.appIdleDeadline : undefined,
      deadline: live ? d.deadline : undefined,
      tokenExpiresAt: live ? this.#tokenExpiresAt : undefined,
      lastActivityAt: this.#shared.lastActivityAt,
      lastProviderRoundTripAt: this.#shared.providerRoundTripAt,
      strategy: this.#strategy,
      providerReachable: this.#shared.providerReachable,
      renewing: this.#inflight !== undefined,
      events: this.#events,
    };
  }

  #publish(next: SessionSnapshot): void {
    const previous = this.#snapshot;
    const changed = (Object.keys(next) as (keyof SessionSnapshot)[]).some((key) => next[key] !== previous[key]);
    if (!changed) return;
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
