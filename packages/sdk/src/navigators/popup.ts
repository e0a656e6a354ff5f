import { SsoError } from '../errors.js';
import type { NavigationRequest } from '../platform.js';
import { awaitAuthorizationMessage } from './message-listener.js';

/**
 * Runs the authorization request in a popup and resolves with the response parameters;
 * `popup_closed` when the user closes it, `popup_blocked` when it cannot open.
 */
export function runPopup(request: NavigationRequest): Promise<URLSearchParams> {
  const popup = request.popup;
  if (!popup) return Promise.reject(new SsoError('popup_blocked', 'The browser blocked the login popup'));
  const result = awaitAuthorizationMessage(
    request,
    () => popup,
    () => popup.close(),
    (fail) => {
      const poll = setInterval(() => {
        if (popup.closed) fail(new SsoError('popup_closed', 'The login popup was closed'));
      }, 500);
      return () => clearInterval(poll);
    },
  );
  popup.location.href = request.url;
  return result;
}
