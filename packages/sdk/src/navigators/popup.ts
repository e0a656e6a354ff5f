import { SsoError } from '../errors.js';
import type { NavigationRequest } from '../platform.js';
import { awaitAuthorizationMessage, responseIn } from './message-listener.js';

/**
 * Runs the authorization request in a popup and resolves with the response parameters: posted
 * by the provider (`web_message`) or by the SDK on the app's callback page, or read from the
 * popup once it is back on the app's redirect URI (same origin). `popup_closed` when the user
 * closes it, `popup_blocked` when it cannot open.
 */
export function runPopup(request: NavigationRequest): Promise<URLSearchParams> {
  const popup = request.popup;
  if (!popup) return Promise.reject(new SsoError('popup_blocked', 'Popup blocked'));
  const result = awaitAuthorizationMessage(
    request,
    () => popup,
    () => request.closePopup !== false && popup.close(),
    ({ resolve, fail }) => {
      const poll = setInterval(() => {
        if (popup.closed) return fail(new SsoError('popup_closed', 'Popup closed'));
        const params = responseIn(popup, request.messageOrigin);
        if (params) resolve(params);
      }, 250);
      return () => clearInterval(poll);
    },
  );
  popup.location.href = request.url;
  return result;
}
