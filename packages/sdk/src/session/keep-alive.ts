import { isNoSessionError } from '../errors.js';
import type { RenewalStrategy, SessionClient, SessionEndReason, SessionEvent } from './types.js';

/** A silent `login_required` this soon after a top-level round trip means blocked cookies, not a logout. */
const RECENT_TOP_LEVEL_MS = 60_000;

export type RenewPurpose = 'keep_alive' | 'continue' | 'focus_check' | 'probe';

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
  /** A successful round trip through the authorization endpoint that started at `at`. */
  slid(at: number): void;
  /** Whether the hidden iframe reaches the provider, and so how to renew. */
  verdict(strategy: RenewalStrategy, providerReachable: boolean, at: number): void;
  log(event: Omit<SessionEvent, 'at'>): void;
  end(reason: SessionEndReason): void;
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

  constructor(client: SessionClient, host: RenewalHost) {
    this.#client = client;
    this.#host = host;
  }

  /** While a call of ours is out, the client's `renewal_failed` events are ours and handled here. */
  get busy(): boolean {
    return this.#calls > 0;
  }

  /** When the latest call of ours started: the instant the provider can have slid the session, at the latest. */
  get startedAt(): number | undefined {
    return this.#startedAt;
  }

  async renew(purpose: RenewPurpose): Promise<void> {
    const host = this.#host;
    const { strategy, canSlide } = host.state();
    if (purpose === 'continue' && strategy !== 'iframe' && !canSlide && this.#client.loginWithRedirect) {
      // The hidden iframe is known not to reach the provider and refresh tokens do not slide
      // the SSO session: only a top-level round trip can extend it, and the user asked for it.
      await this.#redirect();
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
          await this.#redirect();
          return;
        }
      }
      throw error;
    }
    if (channel === 'provider') {
      host.slid(startedAt);
      host.verdict('iframe', true, startedAt);
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
        host.verdict('refresh_token', false, now);
        return true;
      } catch (error) {
        const code = codeOf(error);
        const recentTopLevel = topLevelAt !== undefined && now - topLevelAt < RECENT_TOP_LEVEL_MS;
        if (code === 'missing_refresh_token' && recentTopLevel) {
          // No refresh token here: only a top-level redirect can reach the provider.
          host.verdict('redirect', false, now);
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
  async #redirect(): Promise<void> {
    const here = this.#host.currentUrl();
    const url = here === undefined ? undefined : new URL(here);
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
