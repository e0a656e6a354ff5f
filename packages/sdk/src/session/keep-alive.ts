import { isNoSessionError } from '../errors.js';
import type { BasicPlatform } from '../platform.js';
import { maxDefined } from './deadlines.js';
import type { SharedSession } from './shared-session.js';
import type { RenewalStrategy, SessionClient, SessionEndReason, SessionEvent } from './types.js';

/** A silent `login_required` this soon after a top-level round trip means blocked cookies, not a logout. */
const RECENT_TOP_LEVEL_MS = 60_000;

export type RenewPurpose = 'keep_alive' | 'continue' | 'focus_check' | 'probe' | 'navigation';

/** What the renewer reads from and reports to the session manager. */
export interface RenewalHost {
  now(): number;
  /** The page the user is on, to come back to after a top-level round trip. */
  currentUrl(): string | undefined;
  /** The manager's current view, read afresh after every await. */
  state(): {
    strategy: RenewalStrategy;
    /** Whether a silent renewal the manager can make slides the SSO session. */
    canSlide: boolean;
    providerReachable: boolean | undefined;
    /** The last top-level round trip (login, popup, silent redirect) in this tab. */
    topLevelAt: number | undefined;
    /** Signed in, not ended, not destroyed. */
    alive: boolean;
  };
  log(event: Omit<SessionEvent, 'at'>): void;
  end(reason: SessionEndReason): void;
  /** A renewal of {@link KeepAlive.start} began or ended: time to recompute. */
  changed(): void;
  /** A top-level round trip is about to extend the SSO session, because of `why` (kept across the reload). */
  extending(why: 'navigation' | 'continue'): void;
}

/** Why a top-level round trip extends the SSO session: timeline words, kept across its reload. */
const EXTENSION_WORDS = { navigation: 'on navigation', continue: 'from the warning' } as const;

/** Notes, for the page the round trip comes back to, why it went through the provider. */
export function markExtension(platform: BasicPlatform, storageKey: string, why: keyof typeof EXTENSION_WORDS): string {
  try {
    platform.storage('session')?.setItem(`${storageKey}:extended`, why);
  } catch {
    // Without storage the page that comes back only shows the renewal.
  }
  return EXTENSION_WORDS[why];
}

/** Takes the note {@link markExtension} left, as timeline words, once. */
export function takeExtensionMark(platform: BasicPlatform, storageKey: string): string | undefined {
  try {
    const storage = platform.storage('session');
    const why = storage?.getItem(`${storageKey}:extended`);
    storage?.removeItem(`${storageKey}:extended`);
    return why === 'navigation' || why === 'continue' ? EXTENSION_WORDS[why] : undefined;
  } catch {
    return undefined;
  }
}

/** Reads an error's `code` without `instanceof`: the client's `SsoError` class lives in another bundle. */
const codeOf = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

/**
 * How the session manager renews, and what a failure means. Every call bypasses the cache
 * and names its channel: `provider` (hidden iframe, slides the SSO session) or
 * `refresh_token`.
 */
export class KeepAlive {
  readonly #client: SessionClient;
  readonly #host: RenewalHost;
  #calls = 0;
  #startedAt: number | undefined;
  #inflight: Promise<void> | undefined;
  #lastFocusCheckAt: number | undefined;
  /** When the latest keep-alive renewal was tried: a failed one is retried only after a pause. */
  lastKeepAliveAt: number | undefined;

  readonly #shared: SharedSession;
  readonly #marginMs: number;

  constructor(client: SessionClient, host: RenewalHost, shared: SharedSession, marginMs: number) {
    this.#client = client;
    this.#host = host;
    this.#shared = shared;
    this.#marginMs = marginMs;
  }

  /** A successful round trip through the authorization endpoint that started at `at` slid the SSO session. */
  #slid(at: number): void {
    this.#shared.share({ providerRoundTripAt: maxDefined(this.#shared.state.providerRoundTripAt, at - this.#marginMs) });
  }

  /** Records whether the hidden iframe reaches the provider, and so how to renew, for every tab. */
  #verdict(strategy: RenewalStrategy, providerReachable: boolean, at: number): void {
    const state = this.#shared.state;
    if ((state.strategy ?? 'iframe') === strategy && state.providerReachable === providerReachable) return;
    this.#shared.share({ strategy, providerReachable, strategyAt: at });
    this.#host.log({ type: 'strategy', detail: strategy, fromOtherTab: false });
  }

  /** While a call of ours is out, the client's `renewal_failed` events are ours and handled here. */
  get busy(): boolean {
    return this.#calls > 0;
  }

  /** When the latest call of ours started: the instant the provider can have slid the session, at the latest. */
  get startedAt(): number | undefined {
    return this.#startedAt;
  }

  /** The manager's renewal in flight, if any: one at a time. */
  get inflight(): Promise<void> | undefined {
    return this.#inflight;
  }

  /** Starts a renewal for `purpose`; the host hears when it starts and when it ends. */
  start(purpose: RenewPurpose, targetUrl?: string): Promise<void> {
    if (purpose === 'keep_alive') this.lastKeepAliveAt = this.#host.now();
    const run = (purpose === 'navigation' ? this.#redirect('navigation', targetUrl) : this.renew(purpose)).finally(() => {
      if (this.#inflight === run) this.#inflight = undefined;
      this.#host.changed();
    });
    this.#inflight = run;
    this.#host.changed();
    return run;
  }

  /**
   * Back in the tab: asks the provider whether the session still exists, unless a renewal is
   * out, only a top-level round trip could ask, or the last check is younger than `throttleMs`.
   */
  checkOnFocus(throttleMs: number): void {
    const now = this.#host.now();
    if (this.#inflight || this.#host.state().strategy === 'redirect') return;
    if (this.#lastFocusCheckAt !== undefined && now - this.#lastFocusCheckAt < throttleMs) return;
    this.#lastFocusCheckAt = now;
    this.#host.log({ type: 'focus_check' });
    void this.start('focus_check').catch(() => undefined);
  }

  async renew(purpose: RenewPurpose): Promise<void> {
    const host = this.#host;
    const { strategy, canSlide } = host.state();
    if (purpose === 'continue' && strategy !== 'iframe' && !canSlide && this.#client.loginWithRedirect) {
      // The hidden iframe is known not to reach the provider and refresh tokens do not slide
      // the SSO session: only a top-level round trip can extend it, and the user asked for it.
      await this.#redirect('continue');
      return;
    }
    // No iframe that is known to fail, except the probe whose job is to find out.
    const channel = purpose === 'probe' || strategy === 'iframe' ? 'provider' : 'refresh_token';
    const startedAt = host.now();
    try {
      await this.#call(channel);
    } catch (error) {
      const code = codeOf(error);
      host.log({ type: 'renewal_failed', detail: `${channel}: ${code ?? 'error'}` });
      if (isNoSessionError(error) || code === 'invalid_grant') {
        const alive = await this.onLoginRequired(channel, purpose === 'probe');
        if (alive && (purpose !== 'continue' || host.state().canSlide)) return;
        if (alive && this.#client.loginWithRedirect) {
          await this.#redirect('continue');
          return;
        }
      }
      throw error;
    }
    if (channel === 'provider') {
      this.#slid(startedAt);
      this.#verdict('iframe', true, startedAt);
    }
  }

  /**
   * A `login_required` (or a refused refresh token) means either that the SSO session ended
   * elsewhere, or — for the hidden iframe — that this browser withholds the provider's
   * cookie from third-party frames. A working refresh token or a top-level login moments ago
   * proves the session alive, so that is a blocked iframe: say so and renew by refresh token.
   * Returns true when the session is still alive.
   */
  async onLoginRequired(via: 'provider' | 'refresh_token', probing = false): Promise<boolean> {
    const host = this.#host;
    const { alive, providerReachable, topLevelAt } = host.state();
    if (!alive) return false;
    // Once the iframe has worked in this browser its `login_required` is believed; only the
    // probe after a new login asks the question afresh.
    const iframeTrusted = !probing && providerReachable === true;
    if (via === 'provider' && !iframeTrusted) {
      const now = host.now();
      try {
        await this.#call('refresh_token');
        this.#verdict('refresh_token', false, now);
        return true;
      } catch (error) {
        const code = codeOf(error);
        const recentTopLevel = topLevelAt !== undefined && now - topLevelAt < RECENT_TOP_LEVEL_MS;
        if (code === 'missing_refresh_token' && recentTopLevel) {
          // No refresh token here: only a top-level redirect can reach the provider.
          this.#verdict('redirect', false, now);
          return true;
        }
        // A network failure proves nothing either way: the next renewal or focus asks again.
        if (code !== 'missing_refresh_token' && !isNoSessionError(error) && code !== 'invalid_grant') return true;
      }
    }
    host.end('ended_elsewhere');
    return false;
  }

  /**
   * A top-level `prompt=none` round trip: no form while the SSO session lives, and the
   * app's callback gets `appState.targetUrl` (as after `checkSession`'s redirect) to return
   * the user to the page they were on.
   */
  async #redirect(why: 'navigation' | 'continue', targetUrl?: string): Promise<void> {
    this.#host.extending(why);
    const here = this.#host.currentUrl();
    // Only the path, query and fragment go into appState: a target on another origin cannot.
    const url =
      targetUrl !== undefined ? new URL(targetUrl, here ?? 'http://app.invalid') : here === undefined ? undefined : new URL(here);
    // Providers that demand id_token_hint answer prompt=none without one with invalid_request (P2).
    const raw = (await this.#client.getIdTokenClaims().catch(() => undefined))?.__raw;
    await this.#client.loginWithRedirect?.({
      authorizationParams: { prompt: 'none', ...(typeof raw === 'string' ? { id_token_hint: raw } : {}) },
      ...(url ? { appState: { targetUrl: url.pathname + url.search + url.hash } } : {}),
    });
  }

  async #call(via: 'provider' | 'refresh_token'): Promise<void> {
    this.#calls++;
    this.#startedAt = this.#host.now();
    try {
      await this.#client.getTokenSilently({ cacheMode: 'off', renewVia: via });
    } finally {
      this.#calls--;
    }
  }
}
