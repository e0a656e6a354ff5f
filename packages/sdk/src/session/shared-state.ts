import type { StorageLike } from '../platform.js';
import { maxDefined } from './deadlines.js';
import type { RenewalStrategy, SessionClientEvent } from './types.js';

/**
 * The part of the session view that every tab of the site shares: persisted in storage so a
 * new tab starts from it, and sent to open tabs on every change. Instants only grow, so
 * merging is a `max` and the order in which tabs hear of changes does not matter; the
 * strategy verdict is last-writer-wins by its own timestamp.
 */
export interface SharedState {
  providerRoundTripAt?: number | undefined;
  loginAt?: number | undefined;
  lastActivityAt?: number | undefined;
  strategy?: RenewalStrategy | undefined;
  providerReachable?: boolean | undefined;
  strategyAt?: number | undefined;
}

const STRATEGIES: readonly string[] = ['iframe', 'refresh_token', 'redirect'];

const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

/** Keeps only well-formed fields: storage and messages are shared with any script on the origin. */
export function sanitize(value: unknown): SharedState {
  if (typeof value !== 'object' || value === null) return {};
  const v = value as Record<string, unknown>;
  const state: SharedState = {
    providerRoundTripAt: num(v.providerRoundTripAt),
    loginAt: num(v.loginAt),
    lastActivityAt: num(v.lastActivityAt),
    strategyAt: num(v.strategyAt),
  };
  if (typeof v.strategy === 'string' && STRATEGIES.includes(v.strategy)) state.strategy = v.strategy as RenewalStrategy;
  if (typeof v.providerReachable === 'boolean') state.providerReachable = v.providerReachable;
  return state;
}

/** Merges `incoming` into `current`; returns `current` itself when nothing changed. */
export function merge(current: SharedState, incoming: SharedState): SharedState {
  const next: SharedState = {
    providerRoundTripAt: maxDefined(current.providerRoundTripAt, incoming.providerRoundTripAt),
    loginAt: maxDefined(current.loginAt, incoming.loginAt),
    lastActivityAt: maxDefined(current.lastActivityAt, incoming.lastActivityAt),
    strategy: current.strategy,
    providerReachable: current.providerReachable,
    strategyAt: current.strategyAt,
  };
  if (incoming.strategy !== undefined && (incoming.strategyAt ?? 0) >= (current.strategyAt ?? 0)) {
    next.strategy = incoming.strategy;
    next.providerReachable = incoming.providerReachable;
    next.strategyAt = incoming.strategyAt;
  }
  const same = (Object.keys(next) as (keyof SharedState)[]).every((key) => next[key] === current[key]);
  return same ? current : next;
}

export function readShared(storage: Pick<StorageLike, 'getItem' | 'setItem'> | undefined, key: string): SharedState {
  try {
    const raw = storage?.getItem(key);
    return raw ? sanitize(JSON.parse(raw)) : {};
  } catch {
    // Corrupted JSON or disabled storage: start from nothing, never throw at start-up.
    return {};
  }
}

export function writeShared(
  storage: Pick<StorageLike, 'getItem' | 'setItem'> | undefined,
  key: string,
  state: SharedState,
): void {
  try {
    storage?.setItem(key, JSON.stringify(state));
  } catch {
    // Quota or disabled storage: the open tabs still hear of it through the channel.
  }
}

/**
 * The instants a manager starts from when the cache already holds tokens. The shared view
 * belongs to this session unless a newer login (`auth_time`) or tokens issued after it had
 * already gone idle say otherwise; without it, the ID token's issue time is the best estimate
 * of the last round trip (the probe replaces it with a real one).
 */
export function instantsAtStart(
  shared: SharedState,
  claims: { iat?: unknown; auth_time?: unknown },
  ssoIdleMs: number,
): Pick<SharedState, 'providerRoundTripAt' | 'loginAt'> {
  const issued = typeof claims.iat === 'number' ? claims.iat * 1000 : undefined;
  const authTime = typeof claims.auth_time === 'number' ? claims.auth_time * 1000 : undefined;
  const known = shared.providerRoundTripAt;
  const stale =
    known === undefined || (issued !== undefined && known + ssoIdleMs < issued) || (authTime !== undefined && known < authTime);
  return stale
    ? { providerRoundTripAt: issued, loginAt: authTime ?? issued }
    : { providerRoundTripAt: known, loginAt: shared.loginAt ?? authTime ?? issued };
}

/** What the manager knows, besides the event, when tokens arrive. */
export interface TokensContext {
  wasSignedIn: boolean;
  loginAt: number | undefined;
  /** Another tab's manager shares its own instant, which beats the client's echo of `at`. */
  otherTabShares: boolean;
  /** When this tab's own renewal in flight started, if one is. */
  ownRenewalStartedAt: number | undefined;
}

/** What a `tokens` event changes in the shared state. */
export function patchForTokens(
  event: Extract<SessionClientEvent, { type: 'tokens' }>,
  options: { marginMs: number; refreshExtendsSession: boolean },
  ctx: TokensContext,
): SharedState {
  const patch: SharedState = {};
  const topLevel = event.source !== 'iframe' && event.source !== 'refresh_token';
  const slides = event.throughProvider || (event.source === 'refresh_token' && options.refreshExtendsSession);
  // The provider slid its session when it received the request, which is before `at` (the
  // tokens' arrival): for our own renewal its start is the instant that never overstates.
  if (slides && !(event.fromOtherTab && ctx.otherTabShares)) {
    const reachedProvider = event.fromOtherTab ? event.at : (ctx.ownRenewalStartedAt ?? event.at);
    patch.providerRoundTripAt = reachedProvider - options.marginMs;
  }
  if (!ctx.wasSignedIn && (topLevel || ctx.loginAt === undefined)) patch.loginAt = event.at;
  if (event.source === 'iframe' && !event.fromOtherTab) {
    Object.assign(patch, { strategy: 'iframe', providerReachable: true, strategyAt: event.at } satisfies SharedState);
  }
  return patch;
}
