/**
 * A path that a browser, or a router that decodes it, would read as another host: `//x`, `/\x`,
 * `/%2f/x`, `/%5cx`.
 */
const hostLike = (path: string) => /^\/(?:[\\/]|%2f|%5c)/i.test(path);

/**
 * Returns `target` when it is a same-origin relative path (`/orders?id=1#top`), else `fallback`.
 * Use it before navigating to `appState.targetUrl` or any other address that went through the
 * provider: `https://evil`, `//evil`, `/\evil`, `javascript:` and their encoded forms are refused.
 * The normalised result is checked as well as the input: dot segments (`/.//evil`,
 * `/%2e%2e//evil`) would otherwise turn an accepted path into `//evil`.
 * @see https://datatracker.ietf.org/doc/html/rfc9700#section-4.11 (open redirection)
 */
export function sameOriginPath(target: unknown, fallback = '/'): string {
  if (
    typeof target !== 'string' ||
    !target.startsWith('/') ||
    hostLike(target) ||
    [...target].some((c) => c < ' ' || c === '\\')
  ) {
    return fallback;
  }
  try {
    const base = new URL('http://sso-spa.invalid');
    const resolved = new URL(target, base);
    const path = resolved.pathname + resolved.search + resolved.hash;
    return resolved.origin === base.origin && !hostLike(path) ? path : fallback;
  } catch {
    return fallback;
  }
}
