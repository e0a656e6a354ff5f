import { isNoSessionError, SsoError } from '../errors.js';
import { ActivityLog, trackActivity } from './activity.js';
import { computeDeadlines, type Deadlines, minDefined, type SessionTimes } from './deadlines.js';
import { decide } from './decide.js';
import { KeepAlive, markExtension, type RenewalHost, takeExtensionMark } from './keep-alive.js';
import { type ResolvedOptions, resolveOptions, type SessionManagerOptions } from './options.js';
import { SharedSession } from './shared-session.js';
import { instantsAtStart, patchForTokens, type SharedState } from './shared-state.js';
import { buildSnapshot, SnapshotPublisher } from './snapshot.js';
import { readSignedIn, TabSession } from './tab-session.js';
import { DeadlineTimer } from './timer.js';
import type {
  RenewalStrategy,
  SessionClient,
  SessionClientEvent,
  SessionEndReason,
  SessionEvent,
  SessionManager,
  SessionSnapshot,
} from './types.js';
import { watchWake } from './wake.js';

class SessionManagerImpl implements SessionManager {
  readonly #client: SessionClient;
  readonly #options: ResolvedOptions;
  readonly #timer: DeadlineTimer;
  readonly #shared: SharedSession;
  /** What `destroy()` undoes: listeners on the client, the document and the window. */
  readonly #stops: (() => void)[];
  readonly #keepAlive: KeepAlive;

  readonly #tab = new TabSession();
  readonly #activity = new ActivityLog();
  #destroyed = false;
  readonly #view: SnapshotPublisher;

  constructor(client: SessionClient, options: SessionManagerOptions) {
    this.#client = client;
    this.#options = resolveOptions(options, client.sessionKey);
    const { platform, storageKey } = this.#options;
    this.#shared = new SharedSession(
      platform,
      storageKey,
      (previous) => this.#onMerged(previous),
      (reason) => this.#onEndedElsewhere(reason),
    );
    this.#keepAlive = new KeepAlive(client, this.#renewalHost(), this.#shared, this.#options.marginMs);
    this.#view = new SnapshotPublisher(
      (events) => this.#buildSnapshot(computeDeadlines(this.#times(), this.#options), events),
      this.#options.timelineSize,
    );
    this.#timer = new DeadlineTimer(platform, () => this.#update());
    const back = takeExtensionMark(platform, storageKey);
    if (back) this.#log({ type: 'extended', detail: `${back}, back from the provider` });
    this.#stops = [
      client.subscribe((event) => this.#onClientEvent(event)),
      trackActivity(platform, this.#options.activityEvents, (at) => this.#onInput(at)),
      watchWake(platform, (focused) => {
        this.#update();
        if (focused && this.#tab.status === 'active') this.#keepAlive.checkOnFocus(this.#options.focusCheckThrottleMs);
      }),
    ];
    void this.#init();
  }

  subscribe(listener: (snapshot: SessionSnapshot) => void): () => void {
    return this.#view.subscribe(listener);
  }

  getSnapshot(): SessionSnapshot {
    return this.#view.snapshot;
  }

  async continueSession(): Promise<void> {
    if (this.#destroyed || !this.#tab.authenticated || this.#tab.ended) {
      throw new SsoError('login_required', 'There is no session to continue');
    }
    // Choosing to continue is the clearest activity there is, even during the warning.
    this.#recordActivity(this.#options.platform.now(), true);
    if (this.#keepAlive.inflight) await this.#keepAlive.inflight.catch(() => undefined);
    await this.#keepAlive.start('continue');
  }

  extendOnNavigation(targetUrl?: string): boolean {
    this.#update();
    if (this.#destroyed || !this.#tab.extendOnNavigation || this.#keepAlive.inflight) return false;
    void this.#keepAlive.start('navigation', targetUrl).catch(() => undefined);
    return true;
  }

  async logout(options?: { logoutParams?: { returnTo?: string; [key: string]: unknown } }): Promise<void> {
    await this.#client.logout(options);
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#timer.disarm();
    this.#shared.close();
    for (const stop of this.#stops) stop();
    this.#view.clear();
  }

  async #init(): Promise<void> {
    const { authenticated, claims } = await readSignedIn(this.#client);
    // A `tokens` event may have arrived meanwhile: it is fresher than the cache.
    if (this.#destroyed || this.#tab.authenticated || this.#tab.ended) return;
    this.#tab.authenticated = authenticated;
    if (authenticated && claims) {
      this.#tab.startFrom(claims);
      this.#shared.share(instantsAtStart(this.#shared.state, claims, this.#options.ssoIdleMs));
      this.#tab.probeNeeded = this.#options.probeProvider && this.#shared.state.providerReachable === undefined;
    }
    this.#update();
  }

  #onClientEvent(event: SessionClientEvent): void {
    if (this.#destroyed) return;
    if (event.type === 'tokens') this.#onTokens(event);
    else if (event.type === 'signed_out')
      this.#onSignedOut(event.reason === 'logout' ? undefined : event.reason, event.fromOtherTab);
    else if (event.type === 'renewal_failed' && !this.#keepAlive.busy) {
      this.#log({ type: 'renewal_failed', detail: event.code });
      // The app's own getTokenSilently() met a provider without our session: same rules as
      // ours. Where the iframe is known not to reach the provider, its answer says nothing.
      if (isNoSessionError(event) && this.#strategy === 'iframe') void this.#keepAlive.onLoginRequired('provider');
    }
  }

  #onTokens(event: Extract<SessionClientEvent, { type: 'tokens' }>): void {
    const renewalStartedAt = this.#keepAlive.busy ? this.#keepAlive.startedAt : undefined;
    const wasSignedIn = this.#tab.signIn(event, this.#options.probeProvider);
    this.#shared.share(
      patchForTokens(event, this.#options, {
        wasSignedIn,
        loginAt: this.#shared.state.loginAt,
        otherTabShares: this.#shared.connected,
        ownRenewalStartedAt: renewalStartedAt,
      }),
    );
    this.#log({
      type: wasSignedIn ? 'renewed' : 'signed_in',
      detail: event.throughProvider ? `${event.source}, session extended` : event.source,
      fromOtherTab: event.fromOtherTab,
    });
    this.#update();
  }

  #onSignedOut(reason: SessionEndReason | undefined, fromOtherTab: boolean): void {
    const wasLive = this.#tab.signOut(reason);
    this.#shared.forgetSession();
    if (wasLive) this.#log({ type: reason ? 'expired' : 'signed_out', detail: this.#tab.ended, fromOtherTab });
    this.#update();
  }

  #onMerged(previous: SharedState): void {
    if (this.#destroyed) return;
    if (previous.strategy !== this.#shared.state.strategy)
      this.#log({ type: 'strategy', detail: this.#strategy, fromOtherTab: true });
    this.#update();
  }

  #onEndedElsewhere(reason: SessionEndReason): void {
    if (this.#destroyed || !this.#tab.authenticated || this.#tab.ended) return;
    // The client in that tab clears the cache everywhere; this only keeps the reason.
    this.#tab.ended = reason;
    this.#log({ type: 'expired', detail: reason, fromOtherTab: true });
    this.#update();
  }

  #onInput(at: number): void {
    // During the warning only an explicit choice counts: a mouse moving towards "Log out"
    // must not extend the session.
    if (this.#destroyed || this.#tab.status === 'warning') return;
    this.#recordActivity(at, false);
  }

  #recordActivity(at: number, force: boolean): void {
    const shareNow = this.#activity.record(at, this.#shared.state.lastActivityAt, force, () => {
      // Cheap path: only look further when a renewal could be due.
      if (this.#keepAlive.inflight) return undefined;
      const d = computeDeadlines(this.#times(), this.#options);
      return minDefined(d.tokenRenewAt, d.ssoRenewAt);
    });
    if (!shareNow) return;
    this.#shared.share({ lastActivityAt: at });
    this.#update();
  }

  #times(): SessionTimes {
    return this.#tab.times(this.#shared.state, this.#activity.pendingAt);
  }

  get #strategy(): RenewalStrategy {
    return this.#shared.state.strategy ?? 'iframe';
  }

  /** Whether a renewal the manager can make silently slides the SSO session. */
  get #canSlide(): boolean {
    return this.#strategy === 'iframe' || (this.#strategy === 'refresh_token' && this.#options.refreshExtendsSession);
  }

  /** Recomputes the state from the clock, acts on what is due, re-arms the timer, publishes. */
  #update(): void {
    if (this.#destroyed) return;
    const now = this.#options.platform.now();
    const times = this.#times();
    const d = computeDeadlines(times, this.#options);
    const decision = decide({
      now,
      deadlines: d,
      authenticated: this.#tab.authenticated,
      ended: this.#tab.ended !== undefined,
      previousStatus: this.#tab.status,
      strategy: this.#strategy,
      renewing: this.#keepAlive.inflight !== undefined,
      probeNeeded: this.#tab.probeNeeded,
      keepAlive: {
        activityAt: times.lastActivityAt,
        localActivityAt: this.#activity.localAt,
        tokenIssuedAt: this.#tab.tokenIssuedAt,
        providerRoundTripAt: this.#shared.state.providerRoundTripAt,
        canSlide: this.#canSlide,
        lastAttemptAt: this.#keepAlive.lastKeepAliveAt,
      },
    });
    if (decision.end) {
      this.#end(decision.end);
      return;
    }
    this.#tab.extendOnNavigation = decision.extendOnNavigation;
    if (decision.log === 'warning') this.#log({ type: 'warning', detail: d.warningFor });
    if (decision.log === 'continued') this.#log({ type: 'continued' });
    this.#tab.status = decision.status;
    if (decision.renew === 'probe') this.#tab.probeNeeded = false;
    if (decision.renew) void this.#keepAlive.start(decision.renew).catch(() => undefined);
    this.#timer.arm(decision.wakeAt);
    this.#view.publish(this.#buildSnapshot(d));
  }

  #renewalHost(): RenewalHost {
    return {
      now: () => this.#options.platform.now(),
      currentUrl: () => this.#options.platform.currentUrl(),
      state: () => ({
        strategy: this.#strategy,
        canSlide: this.#canSlide,
        providerReachable: this.#shared.state.providerReachable,
        topLevelAt: this.#tab.topLevelAt,
        alive: !this.#destroyed && this.#tab.live,
      }),
      log: (event) => this.#log(event),
      end: (reason) => this.#end(reason),
      changed: () => this.#update(),
      extending: (why) =>
        this.#log({ type: 'extended', detail: markExtension(this.#options.platform, this.#options.storageKey, why) }),
    };
  }

  #end(reason: SessionEndReason): void {
    if (this.#destroyed || this.#tab.ending || this.#tab.ended) return;
    this.#tab.ending = true;
    this.#tab.ended = reason;
    this.#log({ type: 'expired', detail: reason });
    this.#shared.announceEnd(reason);
    this.#shared.forgetSession();
    void this.#client.clearSession(reason === 'absolute' ? 'idle' : reason).catch(() => undefined);
    this.#update();
  }

  #log(event: Omit<SessionEvent, 'at'>): void {
    this.#view.log({ at: this.#options.platform.now(), ...event });
  }

  #buildSnapshot(deadlines: Deadlines, events = this.#view.events): SessionSnapshot {
    const renewing = this.#keepAlive.inflight !== undefined;
    return buildSnapshot({
      now: this.#options.platform.now(),
      tab: this.#tab,
      deadlines,
      shared: this.#shared.state,
      renewing,
      events,
    });
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
