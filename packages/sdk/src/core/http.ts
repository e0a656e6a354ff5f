import { SsoError } from '../errors.js';
import type { Platform } from '../platform.js';

/**
 * A fetch that aborts after `timeoutMs` (`timeout`) and reports an unreachable provider,
 * CORS failure or offline browser as `network`, never as `login_required`.
 */
export function timedFetch(platform: Platform, timeoutMs: number): typeof fetch {
  return async (input, init) => {
    const controller = new AbortController();
    const handle = platform.setTimeout(() => controller.abort(), timeoutMs);
    try {
      return await platform.fetch(input, { ...init, signal: controller.signal });
    } catch (error) {
      if (controller.signal.aborted) throw new SsoError('timeout', 'The provider did not answer in time');
      throw new SsoError('network', 'The provider could not be reached', {
        cause: error instanceof Error ? new Error(error.message) : undefined,
      });
    } finally {
      platform.clearTimeout(handle);
    }
  };
}
