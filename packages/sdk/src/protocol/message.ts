/**
 * Reads an authorization response delivered by `postMessage`, in the shape both
 * `response_mode=web_message` and the SDK's silent-callback page use:
 * `{ type: 'authorization_response', response: { code, state, iss } }`.
 * Returns `undefined` for anything else; never throws, whatever the data.
 * @see https://datatracker.ietf.org/doc/html/draft-sakimura-oauth-wmrm-00
 */
export function readAuthorizationMessage(data: unknown): URLSearchParams | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const { type, response } = data as { type?: unknown; response?: unknown };
  if (type !== 'authorization_response' || typeof response !== 'object' || response === null) return undefined;
  const params = new URLSearchParams();
  // A repeated parameter arrives as an array (see handleSilentCallback): kept repeated, so the
  // response is refused like a repeated query parameter.
  for (const [name, value] of Object.entries(response)) {
    for (const item of Array.isArray(value) ? value : [value]) if (typeof item === 'string') params.append(name, item);
  }
  return params;
}
