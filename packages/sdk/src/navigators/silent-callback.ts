import { postAuthorizationResponse } from './post-response.js';

/**
 * For a dedicated silent-callback page (`silentCallbackUri`): posts the authorization response
 * to the window that opened this page (the parent frame or the popup's opener), addressed to
 * this page's own origin. Pages that create an `SsoClient` need not call it: the client
 * recognises its own silent frame or popup and does the same. The package also ships a
 * ready-made page, `sso-spa/silent-callback.html`.
 * Returns `false` when the page is not inside a frame or popup, or has no response.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthResponse
 */
export function handleSilentCallback(win: Window = window): boolean {
  const target = win.parent !== win ? win.parent : win.opener;
  return target ? postAuthorizationResponse(target as Window, win.location.href) : false;
}
