import { SsoError } from '../errors.js';
import type { Platform } from '../platform.js';

/**
 * A fetch that gives the whole exchange — headers and body — `timeoutMs` (`timeout`), and
 * reports an unreachable provider, CORS failure or offline browser as `network`, never as
 * `login_required`. The body is read here, within the limit, so a response that starts but
 * never ends cannot hang the caller; provider responses are small.
 */
export function timedFetch(platform: Platform, timeoutMs: number): typeof fetch {
  return async (input, init) => {
    const controller = new AbortController();
    let expire: (error: SsoError) => void = () => {};
    const expired = new Promise<never>((_resolve, reject) => {
      expire = reject;
    });
    expired.catch(() => {});
    const handle = platform.setTimeout(() => {
      controller.abort();
      expire(new SsoError('timeout', 'The provider did not answer in time'));
    }, timeoutMs);
    try {
      const response = await Promise.race([platform.fetch(input, { ...init, signal: controller.signal }), expired]);
      const body = await Promise.race([response.arrayBuffer(), expired]);
      const empty = body.byteLength === 0 || response.status === 204 || response.status === 304;
      return new Response(empty ? null : body, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    } catch (error) {
      if (error instanceof SsoError) throw error;
      const name = (error as { name?: unknown } | null)?.name;
      if (controller.signal.aborted || name === 'AbortError' || name === 'TimeoutError') {
        throw new SsoError('timeout', 'Request to the provider timed out');
      }
      throw new SsoError('network', 'The provider could not be reached', {
        cause: error instanceof Error ? new Error(error.message) : undefined,
      });
    } finally {
      platform.clearTimeout(handle);
    }
  };
}
