import { maxDefined, type SessionTimes } from './deadlines.js';
import type { SharedState } from './shared-state.js';
import type { SessionClient, SessionClientEvent, SessionEndReason, SessionStatus } from './types.js';

type TokensEvent = Extract<SessionClientEvent, { type: 'tokens' }>;

/**
 * What this tab knows of its own session, apart from what the tabs share: whether it is
 * signed in, why it ended, its tokens' lifetime, and its last top-level round trip.
 */
export class TabSession {
  authenticated = false;
  ended: SessionEndReason | undefined;
  /** Ending is under way (the client is clearing the session): a second end is ignored. */
  ending = false;
  tokenIssuedAt: number | undefined;
  tokenExpiresAt: number | undefined;
  /** Last top-level round trip (redirect, popup, silent redirect) in this tab. */
  topLevelAt: number | undefined;
  /** Whether the provider still has to be probed in a hidden iframe. */
  probeNeeded = false;
  /** The status published last. */
  status: SessionStatus = 'signed_out';
  /** Whether the next in-app navigation should go through the provider (see decide.ts). */
  extendOnNavigation = false;

  /** Signed in and not ended. */
  get live(): boolean {
    return this.authenticated && !this.ended;
  }

  /** Tokens arrived; returns whether the session was already live. */
  signIn(event: TokensEvent, probeProvider: boolean): boolean {
    const wasLive = this.live;
    this.authenticated = true;
    this.ended = undefined;
    this.ending = false;
    this.tokenIssuedAt = event.at;
    this.tokenExpiresAt = Math.min(event.idTokenExpiresAt, event.accessTokenExpiresAt);
    if (event.source !== 'iframe' && event.source !== 'refresh_token' && !event.fromOtherTab) {
      this.topLevelAt = event.at;
      // Whether this browser lets the provider answer silently is unknown until tried.
      this.probeNeeded = probeProvider;
    }
    return wasLive;
  }

  /** The session ended (`reason`) or the user signed out (`undefined`); returns whether it was live. */
  signOut(reason: SessionEndReason | undefined): boolean {
    const wasLive = this.live;
    this.authenticated = false;
    // An `absolute` or `ended_elsewhere` set here first is more precise than the client's echo.
    if (reason !== undefined) this.ended ??= reason;
    else this.ended = undefined;
    this.tokenExpiresAt = undefined;
    this.tokenIssuedAt = undefined;
    return wasLive;
  }

  /** Starts from tokens already in the cache when the manager is created. */
  startFrom(claims: { iat?: unknown; exp?: unknown }): void {
    this.authenticated = true;
    if (typeof claims.iat === 'number') this.tokenIssuedAt ??= claims.iat * 1000;
    if (typeof claims.exp === 'number') this.tokenExpiresAt ??= claims.exp * 1000;
    // Created just after handleRedirectCallback(), the manager missed the login's `tokens`
    // event: a fresh ID token stands in for it, so the probe can tell blocked cookies apart.
    this.topLevelAt ??= this.tokenIssuedAt;
  }

  /** The instants the deadlines count from: the tabs' shared ones, this tab's tokens, and input not yet shared. */
  times(shared: SharedState, pendingActivityAt: number | undefined): SessionTimes {
    return {
      providerRoundTripAt: shared.providerRoundTripAt,
      loginAt: shared.loginAt,
      lastActivityAt: maxDefined(shared.lastActivityAt, pendingActivityAt),
      tokenIssuedAt: this.tokenIssuedAt,
      tokenExpiresAt: this.tokenExpiresAt,
    };
  }
}

/** Whether the client holds a signed-in user, with the ID token's claims; a failing client counts as signed out. */
export async function readSignedIn(
  client: SessionClient,
): Promise<{ authenticated: boolean; claims?: Awaited<ReturnType<SessionClient['getIdTokenClaims']>> }> {
  try {
    const authenticated = await client.isAuthenticated();
    return { authenticated, claims: authenticated ? await client.getIdTokenClaims() : undefined };
  } catch {
    return { authenticated: false };
  }
}
