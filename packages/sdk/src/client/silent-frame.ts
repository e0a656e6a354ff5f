import { postAuthorizationResponse } from '../navigators/post-response.js';
import { isCallbackUrl, responseParams } from '../protocol/callback.js';
import type { ClientContext } from './context.js';

/**
 * Recognises that this page is the SDK's own silent frame or popup, come back to the app's
 * redirect URI from a provider without `response_mode=web_message`: the address carries an
 * authorization response, the page sits in a frame or popup of its own origin, and the response
 * is not for a redirect this tab started (those keep a transaction in this tab's
 * sessionStorage). The response then goes to the window that waits for it, and the app's own
 * login logic must not run here. Cheap: no network, no await.
 * @returns true when the response was handed over.
 */
export function handOverSilentResponse(
  ctx: ClientContext,
  url: string | undefined,
  startedHere: (state: string) => boolean,
): boolean {
  if (!url || !isCallbackUrl(url)) return false;
  const state = responseParams(url).get('state') ?? '';
  if (startedHere(state)) return false;
  const target = ctx.platform.opener();
  return target ? postAuthorizationResponse(target, url) : false;
}
