import type { SessionPlatform } from './platform.js';

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
 * no input events, so it can never count as activity.
 */
export class ActivityTracker {
  readonly #platform: SessionPlatform;
  readonly #events: readonly string[];
  readonly #listener: (event: Event) => void;
  readonly #options = { capture: true, passive: true } as const;

  constructor(platform: SessionPlatform, events: readonly string[], onActivity: (at: number) => void) {
    this.#platform = platform;
    this.#events = events;
    this.#listener = (event) => {
      if (event.type === 'visibilitychange' && platform.document?.visibilityState === 'hidden') return;
      onActivity(platform.now());
    };
    for (const type of events) platform.document?.addEventListener(type, this.#listener, this.#options);
  }

  stop(): void {
    for (const type of this.#events) this.#platform.document?.removeEventListener(type, this.#listener, this.#options);
  }
}
