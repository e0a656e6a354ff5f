import type { NavigationRequest } from '../platform.js';
import { awaitAuthorizationMessage } from './message-listener.js';

/**
 * Loads the `prompt=none` authorization URL in a hidden iframe and resolves with the
 * response parameters. The iframe is removed on success, error and timeout.
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
  frame.addEventListener('load', () => {
    loaded = true;
  });
  const result = awaitAuthorizationMessage(
    request,
    () => frame.contentWindow,
    () => frame.remove(),
    undefined,
    () => (loaded ? 'the frame loaded but sent no response: framing refused or the page is stuck' : 'the frame never loaded'),
  );
  frame.src = request.url;
  document.body.appendChild(frame);
  return result;
}
