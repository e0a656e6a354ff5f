import { responseParams } from '../protocol/callback.js';

// Its own module, apart from handleSilentCallback (exported by the package): the client's
// silent frame uses it from a chunk loaded on demand, and a module both reach would be
// bundled into every app's start-up code, used or not.

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
