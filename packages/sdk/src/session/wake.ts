import { type BasicPlatform, listen } from '../platform.js';

/**
 * Signs that the page is alive again after the device slept, the tab sat throttled in the
 * background, or the network came back: timers may have fired late or not at all, so every
 * one of them re-checks the deadlines against the clock. `focused` is true when the user
 * came back to the tab (focus, or visible again), which also merits asking the provider
 * whether the session still exists. Returns the function that stops watching.
 */
export function watchWake(platform: BasicPlatform, onWake: (focused: boolean) => void): () => void {
  const listener = (event: Event) => {
    if (event.type === 'visibilitychange' && platform.document()?.visibilityState === 'hidden') return;
    onWake(event.type === 'focus' || event.type === 'visibilitychange');
  };
  const stopDocument = listen(platform.document(), ['visibilitychange', 'resume'], listener);
  const stopWindow = listen(platform.window(), ['focus', 'pageshow', 'online'], listener);
  return () => {
    stopDocument();
    stopWindow();
  };
}
