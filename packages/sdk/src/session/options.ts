import { SsoError } from '../errors.js';
import { type BasicPlatform, basicPlatform, type Platform } from '../platform.js';
import { DEFAULT_ACTIVITY_EVENTS } from './activity.js';
import type { TimingOptions } from './deadlines.js';

/** Options of {@link createSessionManager}: the provider's timeouts, the warning, renewal and the platform seam. */
export interface SessionManagerOptions {
  /** The provider's sliding SSO inactivity timeout. Default 300. */
  ssoIdleTimeoutSeconds?: number;
  /** The provider's absolute cap since login, if the app wants to warn before it. */
  ssoAbsoluteTimeoutSeconds?: number;
  /** How long before the session ends the warning starts. Default 60. */
  warnBeforeSeconds?: number;
  /**
   * The app's own inactivity limit, for long-lived SSO sessions (days of idle time at the
   * provider) where the app must still sign out an idle user sooner.
   */
  appIdleTimeoutSeconds?: number;
  /**
   * What the end of the SSO session means for this app. `'end'` (default): the app session
   * ends with it, so every site of the SSO session signs out together, warned before. `'outlive'`:
   * the app keeps its user signed in on refresh tokens (`useRefreshTokens`) after the SSO
   * session idles out at the provider; only `appIdleTimeoutSeconds` and the absolute cap end it.
   * The price: a new site (or this one after a logout elsewhere went unnoticed) then asks for
   * credentials, and the provider's idle timeout no longer protects an unattended app.
   */
  ssoSessionEnd?: 'end' | 'outlive';
  /** How long before tokens expire (and before the warning) an active user's session is renewed. Default 30. */
  renewBeforeExpirySeconds?: number;
  /**
   * Whether a refresh-token grant slides the SSO session at this provider. Default false:
   * most providers (and the OpenID specs) slide it only on authorization requests.
   */
  refreshExtendsSession?: boolean;
  /**
   * How much earlier than its round trip the site dates the provider's session slide.
   * Providers keep expiry in whole seconds (oidc-provider counts from the floor of its
   * clock), so their deadline can fall up to a second before `request + idle timeout`;
   * without the margin "Continue" could arrive just after the session is gone. Default 1.
   */
  deadlineMarginSeconds?: number;
  /** Input events that count as activity. */
  activityEvents?: readonly string[];
  /** The least time between two "is the session still there?" checks on focus. Default 30. */
  focusCheckThrottleSeconds?: number;
  /**
   * Check once, silently, whether the provider answers in a hidden iframe in this browser
   * (after a top-level login, or at start when nothing is known yet). Default true.
   */
  probeProvider?: boolean;
  /**
   * Storage key and BroadcastChannel name of the state the tabs share. Default: the client's
   * `sessionKey` (one per issuer and client), else `sso-spa.session`.
   */
  storageKey?: string;
  /** How many recent events the snapshot keeps. Default 20. */
  timelineSize?: number;
  /** Replaces parts of the browser for tests: clock, timers, event targets, channel, storage. */
  platform?: Partial<Platform>;
}

export interface ResolvedOptions extends TimingOptions {
  refreshExtendsSession: boolean;
  marginMs: number;
  activityEvents: readonly string[];
  focusCheckThrottleMs: number;
  probeProvider: boolean;
  storageKey: string;
  timelineSize: number;
  platform: BasicPlatform;
}

function seconds(name: string, value: number | undefined, fallback: number | undefined): number | undefined {
  if (value === undefined) return fallback === undefined ? undefined : fallback * 1000;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new SsoError('invalid_options', `${name} must be a non-negative number of seconds`);
  }
  return value * 1000;
}

export function resolveOptions(options: SessionManagerOptions, clientKey?: string): ResolvedOptions {
  const ssoIdleMs = seconds('ssoIdleTimeoutSeconds', options.ssoIdleTimeoutSeconds, 300)!;
  const warnBeforeMs = seconds('warnBeforeSeconds', options.warnBeforeSeconds, 60)!;
  const appIdleMs = seconds('appIdleTimeoutSeconds', options.appIdleTimeoutSeconds, undefined);
  if (ssoIdleMs <= 0) throw new SsoError('invalid_options', 'ssoIdleTimeoutSeconds must be positive');
  if (warnBeforeMs >= ssoIdleMs || (appIdleMs !== undefined && warnBeforeMs >= appIdleMs)) {
    throw new SsoError('invalid_options', 'warnBeforeSeconds must be shorter than the idle timeouts');
  }
  const platform = basicPlatform(options.platform);
  return {
    ssoIdleMs,
    outliveSso: options.ssoSessionEnd === 'outlive',
    absoluteMs: seconds('ssoAbsoluteTimeoutSeconds', options.ssoAbsoluteTimeoutSeconds, undefined),
    appIdleMs,
    warnBeforeMs,
    renewBeforeMs: seconds('renewBeforeExpirySeconds', options.renewBeforeExpirySeconds, 30)!,
    refreshExtendsSession: options.refreshExtendsSession ?? false,
    marginMs: seconds('deadlineMarginSeconds', options.deadlineMarginSeconds, 1)!,
    activityEvents: options.activityEvents ?? DEFAULT_ACTIVITY_EVENTS,
    focusCheckThrottleMs: seconds('focusCheckThrottleSeconds', options.focusCheckThrottleSeconds, 30)!,
    probeProvider: options.probeProvider ?? true,
    storageKey: options.storageKey ?? clientKey ?? 'sso-spa.session',
    timelineSize: Math.max(1, options.timelineSize ?? 20),
    platform,
  };
}
