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
  // A repeated parameter is posted as an array, so the client refuses it instead of seeing one value.
  const response: Record<string, string | string[]> = {};
  for (const name of params.keys()) {
    const values = params.getAll(name);
    response[name] = values.length > 1 ? values : (values[0] as string);
  }
  (target as Window).postMessage({ type: 'authorization_response', response }, win.location.origin);
  return true;
}
