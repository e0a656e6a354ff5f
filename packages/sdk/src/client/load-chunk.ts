import { SsoError } from '../errors.js';

/**
 * Loads a part of the SDK the bundler split off (`import()` of a rarely used path). A failure
 * (offline, or a deploy replaced the app's files) is a typed `network` error like any other
 * request that could not reach its server; the next call tries again (browsers do not keep
 * failed dynamic imports).
 */
export async function loadChunk<T>(load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (cause) {
    throw new SsoError('network', 'SDK chunk not loaded', {
      cause: cause instanceof Error ? new Error(cause.message) : undefined,
    });
  }
}
