import { responseParams } from '../protocol/callback.js';

/**
 * Posts the authorization response carried by `url` to `target`, addressed to `url`'s own
 * origin only (never `'*'`), so nothing but the app itself can read it.
 * @returns false when `url` carries no response.
 */
export function postAuthorizationResponse(target: Pick<Window, 'postMessage'>, url: string): boolean {
  const params = responseParams(url);
  if (!params.has('state')) return false;
  // A repeated parameter is posted as an array, so the client refuses it instead of seeing one value.
  const response: Record<string, string | string[]> = {};
  for (const name of params.keys()) {
    const values = params.getAll(name);
    response[name] = values.length > 1 ? values : (values[0] as string);
  }
  target.postMessage({ type: 'authorization_response', response }, new URL(url).origin);
  return true;
}

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
