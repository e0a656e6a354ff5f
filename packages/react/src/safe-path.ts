/**
 * Turns an untrusted target (for example `appState.targetUrl` coming back from the provider)
 * into a same-origin path, or `fallback`. Absolute URLs, protocol-relative `//evil`,
 * backslash tricks (`/\evil`, which browsers read as `//evil`) and `javascript:` never pass.
 */
export function toSameOriginPath(target: unknown, origin: string, fallback = '/'): string {
  if (typeof target !== 'string' || !target.startsWith('/') || target.startsWith('//') || target.includes('\\')) {
    return fallback;
  }
  try {
    const url = new URL(target, origin);
    if (url.origin !== new URL(origin).origin) return fallback;
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return fallback;
  }
}
