/**
 * The session layer's view of the client. It is declared here, structurally, rather than
 * imported, so `sso-spa/session` bundles none of the client and unit tests can pass a fake.
 * `SsoClient` from `sso-spa` satisfies it.
 */

import type { SessionCheckStatus, SignedOutReason, TokenSource } from '../vocabulary.js';

export type { SignedOutReason } from '../vocabulary.js';

/** The client events the session layer reacts to; times are epoch milliseconds. */
export type SessionClientEvent =
  | {
      /** New tokens were stored. */
      type: 'tokens';
      /** How they were obtained. */
      source: TokenSource;
      /** True when the tokens came through the provider's authorization endpoint, which slides the SSO session. */
      throughProvider: boolean;
      /** When the tokens were stored. */
      at: number;
      /** When the ID token expires. */
      idTokenExpiresAt: number;
      /** When the access token expires. */
      accessTokenExpiresAt: number;
      /** The user the tokens are for. */
      sub: string;
      /** True when another tab obtained them. */
      fromOtherTab: boolean;
    }
  | {
      /** This site's session ended. */
      type: 'signed_out';
      /** Why it ended. */
      reason: SignedOutReason;
      /** True when another tab ended it. */
      fromOtherTab: boolean;
    }
  | {
      /** A silent renewal failed. */
      type: 'renewal_failed';
      /** The error's code. */
      code: string;
      /** When it failed. */
      at: number;
    }
  | {
      /** A session check finished. */
      type: 'session_check';
      /** What it found. */
      status: SessionCheckStatus;
      /** The error's code when it did not sign the user in. */
      code?: string;
      /** When it finished. */
      at: number;
    };

/** The subset of `SsoClient` the session manager uses. */
export interface SessionClient {
  /** Listens to the client's events; returns the unsubscribe function. */
  subscribe(listener: (event: SessionClientEvent) => void): () => void;
  /** Where the tabs keep this client's session state: one name per issuer and client. */
  readonly sessionKey?: string;
  /** Called with the cache bypassed and an explicit renewal channel, never from the cache. */
  getTokenSilently(options: { cacheMode: 'off'; renewVia: 'provider' | 'refresh_token' }): Promise<unknown>;
  /** Ends this site's session in every tab without navigating. */
  clearSession(reason: SignedOutReason): Promise<void>;
  /** True while this site has a session. */
  isAuthenticated(): Promise<boolean>;
  /** Claims are read defensively: `iat`, `exp` and `auth_time` count only when they are numbers. */
  getIdTokenClaims(): Promise<
    | {
        /** Issued at (epoch seconds): when the provider last saw the user, for the idle deadline. */
        iat?: unknown;
        /** Expiry (epoch seconds). */
        exp?: unknown;
        /** When the user last authenticated (epoch seconds), for the absolute cap. */
        auth_time?: unknown;
        /** The ID token itself: the `id_token_hint` of a top-level `prompt=none` redirect. */
        __raw?: unknown;
      }
    | undefined
  >;
  /** The RP-initiated logout (navigates to the provider's end-session endpoint). */
  logout(options?: { logoutParams?: { returnTo?: string; [key: string]: unknown } }): Promise<unknown>;
  /**
   * A top-level redirect through the provider. Used by `continueSession()` only where the
   * provider cannot be reached silently and refresh tokens do not extend the SSO session.
   */
  loginWithRedirect?(options?: {
    appState?: unknown;
    authorizationParams?: { prompt?: string; [key: string]: unknown };
  }): Promise<void>;
}

/** How tokens are renewed in this browser. */
export type RenewalStrategy = 'iframe' | 'refresh_token' | 'redirect';

/** Why a session ended: the client's reasons, plus `absolute` when the absolute cap passed. */
export type SessionEndReason = Exclude<SignedOutReason, 'logout'> | 'absolute';

/**
 * `signed_out` (no session), `active`, `warning` (the session ends in `secondsLeft` unless the
 * user continues), `expired` (it ended while the page was open; see `reason`).
 */
export type SessionStatus = 'signed_out' | 'active' | 'warning' | 'expired';

/** One entry of the bounded timeline kept in the snapshot. Never carries tokens. */
export interface SessionEvent {
  /** When it happened (epoch ms). */
  at: number;
  /** What happened. */
  type:
    | 'signed_in'
    | 'renewed'
    | 'renewal_failed'
    | 'warning'
    | 'continued'
    | 'expired'
    | 'signed_out'
    | 'strategy'
    | 'focus_check'
    | 'extended';
  /** Short human-readable detail, e.g. the renewal channel or an error code. */
  detail?: string;
  /** True when another tab of this site did it. */
  fromOtherTab?: boolean;
}

/**
 * Everything a UI needs, as one immutable object. `getSnapshot()` returns the same reference
 * until something changes, as React's `useSyncExternalStore` requires.
 */
export interface SessionSnapshot {
  /** Where the session stands; see {@link SessionStatus}. */
  readonly status: SessionStatus;
  /** Whole seconds until the session ends; only in `warning`. */
  readonly secondsLeft: number | undefined;
  /** Only in `expired`. */
  readonly reason: SessionEndReason | undefined;
  /** What the warning is about: the SSO idle timeout, the app's own inactivity limit, or the absolute cap. */
  readonly warningFor: 'sso_idle' | 'app_idle' | 'absolute' | undefined;
  /** When the SSO session goes idle at the provider, as far as this site knows (epoch ms). */
  readonly ssoIdleDeadline: number | undefined;
  /** The absolute cap, where configured (epoch ms). */
  readonly absoluteDeadline: number | undefined;
  /** The app's own inactivity deadline, with `appIdleTimeoutSeconds` (epoch ms). */
  readonly appIdleDeadline: number | undefined;
  /** The earliest of the three: when this site's session ends without activity. */
  readonly deadline: number | undefined;
  /** The earlier of the ID and access token expiry (epoch ms). */
  readonly tokenExpiresAt: number | undefined;
  /** The last user input in any tab of this site (epoch ms). */
  readonly lastActivityAt: number | undefined;
  /** The last successful round trip through the provider's authorization endpoint (epoch ms). */
  readonly lastProviderRoundTripAt: number | undefined;
  /** How tokens are renewed in this browser (hidden iframe, refresh token, or top-level redirect). */
  readonly strategy: RenewalStrategy;
  /** Whether the provider answers silently (hidden iframe) in this browser; `undefined` until known. */
  readonly providerReachable: boolean | undefined;
  /** A renewal started by the session manager is in flight. */
  readonly renewing: boolean;
  /**
   * True when the next in-app navigation should go through the provider: nothing silent can
   * slide the SSO session in this browser, and the user has been active. The app's router
   * calls {@link SessionManager.extendOnNavigation} (the React bindings do it for you).
   */
  readonly extendOnNavigation: boolean;
  /** The most recent events, oldest first, at most `timelineSize`. */
  readonly events: readonly SessionEvent[];
}

/** What {@link createSessionManager} returns: a headless store of the session's state, plus its actions. */
export interface SessionManager {
  /** Calls `listener` after every snapshot change; returns the unsubscribe function. */
  subscribe(listener: (snapshot: SessionSnapshot) => void): () => void;
  /** The current state; the same object until something changes. */
  getSnapshot(): SessionSnapshot;
  /**
   * Renews through the provider with the cache bypassed, which extends the SSO session and
   * clears the warning in every tab. Rejects with the client's error when the renewal fails
   * (`login_required` also ends the session with reason `ended_elsewhere`).
   */
  continueSession(): Promise<void>;
  /**
   * Call it from your router before an in-app navigation to `targetUrl`. Where nothing silent
   * can slide the SSO session (third-party cookies blocked, refresh grants that do not slide
   * it) and the user has been active, the navigation goes through the provider instead: one
   * top-level `prompt=none` round trip, no form, back to `targetUrl` (as `appState.targetUrl`
   * of `handleRedirectCallback`), with the SSO session extended; returns true and the router
   * must not navigate itself. Otherwise returns false and the router navigates as usual. The
   * idle warning stays the fallback for a user who does not navigate in time.
   */
  extendOnNavigation(targetUrl?: string): boolean;
  /** The RP-initiated logout through the client; every tab signs out. */
  logout(options?: { logoutParams?: { returnTo?: string; [key: string]: unknown } }): Promise<void>;
  /** Removes every listener, timer and channel. The manager is inert afterwards. */
  destroy(): void;
}
