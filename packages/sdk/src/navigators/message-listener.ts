import { SsoError } from '../errors.js';
import type { NavigationRequest } from '../platform.js';
import { readAuthorizationMessage } from '../protocol/message.js';

/**
 * Waits for the authorization response from `source()` and always cleans up: the listener,
 * the timer and whatever `cleanup` removes (the iframe, the popup), on success, error and
 * timeout alike. Messages from another origin or window, and malformed data, are ignored
 * without throwing; a message from our window with another `state` fails with `state_mismatch`.
 * `watch` may fail the wait early (a closed popup); `reason` says what a timeout looked like.
 */
export function awaitAuthorizationMessage(
  request: NavigationRequest,
  source: () => unknown,
  cleanup: () => void,
  watch?: (fail: (error: SsoError) => void) => () => void,
  reason: () => string = () => 'no response',
): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    let stopWatching: (() => void) | undefined;
    const finish = (settle: () => void) => {
      clearTimeout(timer);
      globalThis.removeEventListener('message', onMessage);
      stopWatching?.();
      try {
        cleanup();
      } finally {
        settle();
      }
    };
    const onMessage = (event: MessageEvent) => {
      try {
        if (event.origin !== request.messageOrigin || event.source !== source()) return;
        const params = readAuthorizationMessage(event.data);
        if (!params) return;
        if (params.get('state') !== request.state) {
          finish(() => reject(new SsoError('state_mismatch', 'The silent authentication response has another state')));
          return;
        }
        finish(() => resolve(params));
      } catch {
        // A hostile message must never break the listener.
      }
    };
    const timer = setTimeout(
      () => finish(() => reject(new SsoError('timeout', `The provider did not answer in time (${reason()})`))),
      request.timeoutMs,
    );
    globalThis.addEventListener('message', onMessage);
    stopWatching = watch?.((error) => finish(() => reject(error)));
  });
}
