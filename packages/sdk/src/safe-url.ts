/**
 * Returns `target` when it is a same-origin relative path (`/orders?id=1#top`), else `fallback`.
 * Use it before navigating to `appState.targetUrl` or any other address that went through the
 * provider: `https://evil`, `//evil`, `/\evil`, `javascript:` and their encoded forms are refused.
 * @see https://datatracker.ietf.org/doc/html/rfc9700#section-4.11 (open redirection)
 */
export function sameOriginPath(target: unknown, fallback = '/'): string {
  if (
    typeof target !== 'string' ||
    !target.startsWith('/') ||
    /^\/[\\/]/.test(target) ||
    [...target].some((c) => c < ' ' || c === '\\')
  ) {
    return fallback;
  }
  try {
    const base = new URL('http://sso-spa.invalid');
    const resolved = new URL(target, base);
    if (resolved.origin !== base.origin) return fallback;
    return resolved.pathname + resolved.search + resolved.hash;
  } catch {
    return fallback;
  }
}
