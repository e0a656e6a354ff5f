import { type BasicPlatform, listen } from '../platform.js';

/** Input that counts as the user being present. `visibilitychange` counts only when the tab becomes visible. */
export const DEFAULT_ACTIVITY_EVENTS: readonly string[] = [
  'pointerdown',
  'pointermove',
  'keydown',
  'wheel',
  'touchstart',
  'scroll',
  'visibilitychange',
];

/**
 * Watches user input with passive, capturing listeners (they never delay scrolling and see
 * events that the page stops). The SDK's own work — renewals, iframes, timers — dispatches
 * no input events, so it can never count as activity. Returns the function that stops it.
 */
export function trackActivity(platform: BasicPlatform, events: readonly string[], onActivity: (at: number) => void): () => void {
  return listen(
    platform.document(),
    events,
    (event) => {
      if (event.type !== 'visibilitychange' || platform.document()?.visibilityState !== 'hidden') onActivity(platform.now());
    },
    { capture: true, passive: true },
  );
}

/** Input closer together than this is one activity (keeps snapshots and messages to ~1/s). */
const ACTIVITY_RESOLUTION_MS = 1000;

/** This tab's input, shared with the other tabs at most about once a second. */
export class ActivityLog {
  /** The latest input in this tab. */
  localAt: number | undefined;
  /** Input seen but not yet shared. */
  pendingAt: number | undefined;

  /**
   * Records input at `at`; true when it must be shared now: when `force`d, the first input in
   * a second since `sharedAt`, or input at or after `renewalDueAt()` (asked only then).
   */
  record(at: number, sharedAt: number | undefined, force: boolean, renewalDueAt: () => number | undefined): boolean {
    this.localAt = at;
    if (!force && sharedAt !== undefined && at - sharedAt < ACTIVITY_RESOLUTION_MS) {
      this.pendingAt = at;
      const due = renewalDueAt();
      if (due === undefined || at < due) return false;
    }
    this.pendingAt = undefined;
    return true;
  }
}
