import type { Configuration, CookiesSetOptions } from 'oidc-provider';
import type { KoaMiddleware } from './oidc-types.js';

/** Host names browsers treat as potentially trustworthy over plain http (they accept `Secure` cookies there). */
export function isLoopbackHostname(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  return host === 'localhost' || host.endsWith('.localhost') || host === '127.0.0.1' || host === '[::1]' || host === '::1';
}

function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

/**
 * Lets oidc-provider set `Secure` cookies over plain http on loopback.
 *
 * The session cookie must be `SameSite=None; Secure` to reach the IdP inside a cross-site
 * iframe, and Chromium accepts `Secure` cookies from `http://localhost` and `http://*.localhost`
 * because it treats those origins as potentially trustworthy. Koa's cookie library, however,
 * refuses to send a `Secure` cookie unless the request itself is https, and oidc-provider
 * derives that from `ctx.secure`. This middleware marks the request secure only when the issuer
 * is a loopback name *and* the TCP peer is loopback, so the IdP never claims a secure transport
 * to anything but the browser on the same machine.
 */
export function loopbackSecureCookies(issuerHostname: string): KoaMiddleware {
  const applies = isLoopbackHostname(issuerHostname);
  return async (ctx, next) => {
    if (applies && isLoopbackAddress(ctx.req.socket.remoteAddress)) {
      Object.defineProperty(ctx.request, 'secure', { value: true, configurable: true });
      ctx.cookies.secure = true;
    }
    await next();
  };
}

/**
 * The SSO session cookie must reach the IdP in a cross-site iframe (silent authentication),
 * so it is SameSite=None, which browsers accept only with Secure. Without a secure context
 * it falls back to Lax: sign-in works, silent authentication from another site does not.
 */
function sessionCookie(secure: boolean): CookiesSetOptions {
  return secure ? { httpOnly: true, sameSite: 'none', secure: true } : { httpOnly: true, sameSite: 'lax' };
}

/**
 * Interaction cookies only ever travel in top-level navigations (the login page, the resume
 * redirect), so Lax keeps other sites from posting into a sign-in in progress.
 */
function interactionCookie(secure: boolean): CookiesSetOptions {
  return { httpOnly: true, sameSite: 'lax', ...(secure ? { secure: true } : {}) };
}

/** oidc-provider's `cookies`: Secure over https, and on loopback where browsers accept it (see above). */
export function providerCookies(issuer: string, keys: string[]): Configuration['cookies'] {
  const { protocol, hostname } = new URL(issuer);
  const secure = protocol === 'https:' || isLoopbackHostname(hostname);
  return { keys, long: sessionCookie(secure), short: interactionCookie(secure) };
}
