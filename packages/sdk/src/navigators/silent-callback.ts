/**
 * Call this on the app-hosted silent-callback page (the `silentCallbackUri`) for providers
 * without `response_mode=web_message`: it posts the authorization response to the window
 * that opened it (the parent frame or the popup's opener) with this page's own origin as the
 * explicit target origin, never `'*'`, so only the app itself can read it.
 * Returns `false` when the page is not inside a frame or popup, or has no response.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthResponse
 */
export function handleSilentCallback(win: Window = window): boolean {
  const target = win.parent !== win ? win.parent : win.opener;
  if (!target) return false;
  const url = new URL(win.location.href);
  const params = url.searchParams.has('state') ? url.searchParams : new URLSearchParams(url.hash.slice(1));
  if (!params.has('state')) return false;
  const response: Record<string, string> = {};
  for (const [name, value] of params) response[name] = value;
  (target as Window).postMessage({ type: 'authorization_response', response }, win.location.origin);
  return true;
}
