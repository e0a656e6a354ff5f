/**
 * Pure arithmetic on absolute instants (epoch ms): no clock, no timers. Every decision of the
 * session manager starts from here, so a wake from sleep or a throttled timer only needs to
 * call it again with the new time.
 */

export interface SessionTimes {
  /** Last successful round trip through the authorization endpoint (slides the SSO session). */
  providerRoundTripAt: number | undefined;
  /** When the user signed in (the absolute timeout counts from here). */
  loginAt: number | undefined;
  lastActivityAt: number | undefined;
  tokenIssuedAt: number | undefined;
  tokenExpiresAt: number | undefined;
}

export interface TimingOptions {
  ssoIdleMs: number;
  /** The app session outlives the SSO session's idle end (`ssoSessionEnd: 'outlive'`). */
  outliveSso?: boolean;
  absoluteMs: number | undefined;
  appIdleMs: number | undefined;
  warnBeforeMs: number;
  renewBeforeMs: number;
}

export interface Deadlines {
  ssoIdleDeadline: number | undefined;
  absoluteDeadline: number | undefined;
  appIdleDeadline: number | undefined;
  /** The earliest of the three. */
  deadline: number | undefined;
  warningFor: 'sso_idle' | 'app_idle' | 'absolute' | undefined;
  /** When the warning starts. */
  warnAt: number | undefined;
  /** When tokens are renewed, if the user has been active since they were issued. */
  tokenRenewAt: number | undefined;
  /** When the SSO session is slid, if the user has been active since the last round trip. */
  ssoRenewAt: number | undefined;
  /**
   * Where nothing silent slides the SSO session: from when an active user's next in-app
   * navigation goes through the provider instead (halfway from the last round trip to the
   * warning), so the warning need not interrupt them.
   */
  navigationExtendAt: number | undefined;
}

const minDefined = (...values: (number | undefined)[]): number | undefined => {
  let min: number | undefined;
  for (const value of values) if (value !== undefined && (min === undefined || value < min)) min = value;
  return min;
};

const maxDefined = (...values: (number | undefined)[]): number | undefined => {
  let max: number | undefined;
  for (const value of values) if (value !== undefined && (max === undefined || value > max)) max = value;
  return max;
};

export { maxDefined, minDefined };

/**
 * `lead` before `end`, but never earlier than halfway from `start`: with compressed test
 * timings (4 s tokens, 30 s lead) a renewal would otherwise be due the moment it lands.
 */
function before(end: number, start: number | undefined, lead: number): number {
  const span = start === undefined ? lead * 2 : end - start;
  return end - Math.max(0, Math.min(lead, span / 2));
}

export function computeDeadlines(times: SessionTimes, options: TimingOptions): Deadlines {
  const absoluteDeadline =
    options.absoluteMs !== undefined && times.loginAt !== undefined ? times.loginAt + options.absoluteMs : undefined;
  const ssoIdleRaw = times.providerRoundTripAt === undefined ? undefined : times.providerRoundTripAt + options.ssoIdleMs;
  const ssoIdleDeadline = minDefined(ssoIdleRaw, absoluteDeadline);
  const appIdleBase = maxDefined(times.lastActivityAt, times.loginAt, times.providerRoundTripAt);
  const appIdleDeadline =
    options.appIdleMs !== undefined && appIdleBase !== undefined ? appIdleBase + options.appIdleMs : undefined;
  const deadline = minDefined(options.outliveSso ? undefined : ssoIdleDeadline, appIdleDeadline, absoluteDeadline);
  let warningFor: Deadlines['warningFor'];
  if (deadline !== undefined) {
    if (deadline === absoluteDeadline) warningFor = 'absolute';
    else if (deadline === ssoIdleDeadline && !options.outliveSso) warningFor = 'sso_idle';
    else warningFor = 'app_idle';
  }
  const warnAt = deadline === undefined ? undefined : deadline - options.warnBeforeMs;
  const tokenRenewAt =
    times.tokenExpiresAt === undefined ? undefined : before(times.tokenExpiresAt, times.tokenIssuedAt, options.renewBeforeMs);
  // Sliding the SSO session is pointless when the absolute cap comes first.
  const ssoRenewAt =
    ssoIdleRaw !== undefined && (absoluteDeadline === undefined || ssoIdleRaw < absoluteDeadline)
      ? before(ssoIdleRaw - options.warnBeforeMs, times.providerRoundTripAt, options.renewBeforeMs)
      : undefined;
  return {
    ssoIdleDeadline,
    absoluteDeadline,
    appIdleDeadline,
    deadline,
    warningFor,
    warnAt,
    tokenRenewAt,
    ssoRenewAt,
    navigationExtendAt:
      ssoRenewAt === undefined || options.outliveSso || times.providerRoundTripAt === undefined
        ? undefined
        : times.providerRoundTripAt + (options.ssoIdleMs - options.warnBeforeMs) / 2,
  };
}

/** A failed keep-alive is retried no sooner than this. */
const RETRY_MS = 5000;
/** Tabs without the latest input let the tab with it renew first. */
const FOLLOWER_GRACE_MS = 1500;

export interface KeepAliveFacts {
  /** The latest input in any tab. */
  activityAt: number | undefined;
  /** The latest input in this tab. */
  localActivityAt: number | undefined;
  tokenIssuedAt: number | undefined;
  providerRoundTripAt: number | undefined;
  /** Whether the renewal this tab can make slides the SSO session. */
  canSlide: boolean;
  lastAttemptAt: number | undefined;
}

/**
 * When a keep-alive renewal is due, or `undefined` when none is: tokens are worth renewing
 * only for a user who has been active since they were issued, and the SSO session only for
 * a user active since it last slid. An idle user is left to the warning.
 */
export function keepAliveAt(d: Deadlines, facts: KeepAliveFacts): number | undefined {
  const { activityAt } = facts;
  if (activityAt === undefined) return undefined;
  const tokensDue = d.tokenRenewAt !== undefined && activityAt > (facts.tokenIssuedAt ?? 0) ? d.tokenRenewAt : undefined;
  const ssoDue =
    facts.canSlide && d.ssoRenewAt !== undefined && activityAt > (facts.providerRoundTripAt ?? 0) ? d.ssoRenewAt : undefined;
  let due = minDefined(tokensDue, ssoDue);
  if (due === undefined) return undefined;
  // The tab with the latest input renews; the others step in only if it does not.
  if ((facts.localActivityAt ?? 0) < activityAt) due += FOLLOWER_GRACE_MS;
  if (facts.lastAttemptAt !== undefined) due = Math.max(due, facts.lastAttemptAt + RETRY_MS);
  return due;
}
