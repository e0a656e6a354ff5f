import { listen, type Platform } from '../platform.js';

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
export function trackActivity(platform: Platform, events: readonly string[], onActivity: (at: number) => void): () => void {
  return listen(
    platform.document,
    events,
    (event) => {
      if (event.type !== 'visibilitychange' || platform.document?.visibilityState !== 'hidden') onActivity(platform.now());
    },
    { capture: true, passive: true },
  );
}
