import { SsoError } from '../errors.js';
import type { NavigationRequest } from '../platform.js';
import { awaitAuthorizationMessage, isBlank, responseIn } from './message-listener.js';

/**
 * How long a silent frame that has loaded a page may stay silent before that page counts as the
 * provider asking for the user (its login page, often refused in a frame): a provider that
 * ignores `prompt=none` must not hold the app for the whole timeout.
 */
export const SILENT_ANSWER_GRACE_MS = 2_000;

/**
 * Loads the `prompt=none` authorization URL in a hidden iframe and resolves with the response
 * parameters: posted by the provider (`web_message`) or by the SDK on the app's own callback
 * page, or read straight from the frame once it shows the app's redirect URI (same origin).
 * A frame that has loaded some other page and says nothing within {@link SILENT_ANSWER_GRACE_MS}
 * fails with `interaction_required` (with no provider `error`). The iframe is removed on
 * success, error and timeout.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest (prompt=none)
 */
export function runIframe(request: NavigationRequest): Promise<URLSearchParams> {
  const frame = document.createElement('iframe');
  frame.setAttribute('aria-hidden', 'true');
  frame.setAttribute('tabindex', '-1');
  frame.title = 'Silent authentication';
  frame.style.cssText = 'display:none;width:0;height:0;border:0';
  // Telling "never loaded" from "loaded but never answered" (framing refused, page stuck) is
  // all a cross-origin frame lets us know.
  let loaded = false;
  const result = awaitAuthorizationMessage(
    request,
    () => frame.contentWindow,
    () => frame.remove(),
    ({ resolve, fail }) => {
      let grace: ReturnType<typeof setTimeout> | undefined;
      const onLoad = () => {
        const win = frame.contentWindow;
        if (isBlank(win)) return;
        loaded = true;
        const params = responseIn(win, request.messageOrigin);
        if (params) return resolve(params);
        clearTimeout(grace);
        grace = setTimeout(
          () => fail(new SsoError('interaction_required', 'No silent answer: a page was shown')),
          SILENT_ANSWER_GRACE_MS,
        );
      };
      frame.addEventListener('load', onLoad);
      return () => {
        clearTimeout(grace);
        frame.removeEventListener('load', onLoad);
      };
    },
    () => (loaded ? 'the frame loaded but sent no response' : 'the frame never loaded'),
  );
  frame.src = request.url;
  document.body.appendChild(frame);
  return result;
}
