import { SsoError } from '../errors.js';
import type { NavigationRequest } from '../platform.js';
import { responseParams } from '../protocol/callback.js';
import { readAuthorizationMessage } from '../protocol/message.js';

/** How a navigator settles the wait early: with a response it read itself, or with an error. */
export interface Settle {
  resolve(params: URLSearchParams): void;
  fail(error: SsoError): void;
}

/**
 * Waits for the authorization response from `source()` and always cleans up: the listener,
 * the timer and whatever `cleanup` removes (the iframe, the popup), on success, error and
 * timeout alike. Messages from another origin or window, and malformed data, are ignored
 * without throwing; a response with another `state`, however it came, fails with
 * `state_mismatch`. `watch` may settle the wait early (a closed popup, a response read from a
 * same-origin window); `reason` says what a timeout looked like.
 */
export function awaitAuthorizationMessage(
  request: NavigationRequest,
  source: () => unknown,
  cleanup: () => void,
  watch?: (settle: Settle) => () => void,
  reason: () => string = () => 'no response',
): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    let stopWatching: (() => void) | undefined;
    let done = false;
    const finish = (settle: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      globalThis.removeEventListener('message', onMessage);
      stopWatching?.();
      try {
        cleanup();
      } finally {
        settle();
      }
    };
    const answer = (params: URLSearchParams) => {
      if (params.get('state') !== request.state) {
        finish(() => reject(new SsoError('state_mismatch', 'Silent response state mismatch')));
        return;
      }
      finish(() => resolve(params));
    };
    const onMessage = (event: MessageEvent) => {
      try {
        if (event.origin !== request.messageOrigin || event.source !== source()) return;
        const params = readAuthorizationMessage(event.data);
        if (params) answer(params);
      } catch {
        // A hostile message must never break the listener.
      }
    };
    const timer = setTimeout(
      () => finish(() => reject(new SsoError('timeout', `The provider did not answer in time (${reason()})`))),
      request.timeoutMs,
    );
    globalThis.addEventListener('message', onMessage);
    stopWatching = watch?.({ resolve: answer, fail: (error) => finish(() => reject(error)) });
  });
}

/**
 * The authorization response showing in `win`, when `win` is on `origin` (the app's own
 * redirect URI, for providers without `web_message`) and its address carries one. Reading a
 * window of another origin throws, which means "nothing to read here".
 */
export function responseIn(win: Window | null | undefined, origin: string): URLSearchParams | undefined {
  try {
    const href = win?.location.href;
    if (!href || new URL(href).origin !== origin) return undefined;
    const params = responseParams(href);
    return params.has('state') ? params : undefined;
  } catch {
    return undefined;
  }
}

/** True when `win` still shows its initial empty document (a frame or popup before navigating). */
export function isBlank(win: Window | null | undefined): boolean {
  try {
    return win?.location.href === 'about:blank';
  } catch {
    return false;
  }
}
