import type { SessionPlatform } from './platform.js';

const DOCUMENT_EVENTS = ['visibilitychange', 'resume'] as const;
const WINDOW_EVENTS = ['focus', 'pageshow', 'online'] as const;

/**
 * Signs that the page is alive again after the device slept, the tab sat throttled in the
 * background, or the network came back: timers may have fired late or not at all, so every
 * one of them re-checks the deadlines against the clock. `focused` is true when the user
 * came back to the tab (focus, or visible again), which also merits asking the provider
 * whether the session still exists.
 */
export class WakeWatcher {
  readonly #platform: SessionPlatform;
  readonly #listener: (event: Event) => void;

  constructor(platform: SessionPlatform, onWake: (focused: boolean) => void) {
    this.#platform = platform;
    this.#listener = (event) => {
      if (event.type === 'visibilitychange' && platform.document?.visibilityState === 'hidden') return;
      onWake(event.type === 'focus' || event.type === 'visibilitychange');
    };
    for (const type of DOCUMENT_EVENTS) platform.document?.addEventListener(type, this.#listener);
    for (const type of WINDOW_EVENTS) platform.window?.addEventListener(type, this.#listener);
  }

  stop(): void {
    for (const type of DOCUMENT_EVENTS) this.#platform.document?.removeEventListener(type, this.#listener);
    for (const type of WINDOW_EVENTS) this.#platform.window?.removeEventListener(type, this.#listener);
  }
}
