import { SsoError } from '../errors.js';
import { cleanedUrl } from '../protocol/callback.js';
import type { ClientContext } from './context.js';

/**
 * The synchronous start of a redirect callback, before anything awaits: the URL to handle,
 * and the response parameters gone from the address bar, so a reload or the back button
 * replays nothing. In a window another page of the app opened, the address is left for
 * {@link takeCallback} to decide on: it may be the SDK's own silent frame or popup, whose
 * waiting window reads the response from it.
 */
export function leaveCallbackUrl(ctx: ClientContext, url?: string): string {
  const href = url ?? ctx.platform.currentUrl();
  if (!href) throw new SsoError('invalid_options', 'No callback URL');
  if (!ctx.platform.opener()) cleanAddressBar(ctx);
  return href;
}

/** Removes the authorization response parameters from the address bar, if it has any. */
export function cleanAddressBar(ctx: ClientContext): void {
  const current = ctx.platform.currentUrl();
  const clean = current ? cleanedUrl(current) : undefined;
  if (clean) ctx.platform.replaceUrl(clean);
}
