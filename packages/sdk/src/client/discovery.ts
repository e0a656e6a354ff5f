import type { SsoError } from '../errors.js';
import { scopedName } from '../names.js';
import type { Platform } from '../platform.js';
import { checkDiscovery, discoveryUrl, type ProviderMetadata, readDiscovery } from '../protocol/discovery.js';

/** How long a tab reuses the provider's metadata across its own page loads. */
const DISCOVERY_LIFETIME_MS = 60 * 60_000;

/**
 * The provider's metadata, discovered once per page and kept for this tab's reloads. A failure
 * is not kept, but retries back off (1 s doubling to 60 s) so a broken provider is not
 * hammered; during the back-off the last failure stands (an offline browser stays `network`).
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html
 */
export class ProviderDiscovery {
  readonly #issuer: string;
  readonly #platform: Platform;
  readonly #fetch: () => typeof globalThis.fetch;
  #metadata: Promise<ProviderMetadata> | undefined;
  #retryAt = 0;
  #failures = 0;
  #error: unknown;

  constructor(issuer: string, platform: Platform, timedFetch: () => typeof globalThis.fetch) {
    this.#issuer = issuer;
    this.#platform = platform;
    this.#fetch = timedFetch;
  }

  metadata(): Promise<ProviderMetadata> {
    if (this.#metadata) return this.#metadata;
    if (this.#platform.now() < this.#retryAt) return Promise.reject(this.#error);
    const kept = this.#kept();
    const fetch = this.#fetch();
    this.#metadata = kept
      ? Promise.resolve(kept)
      : fetch(discoveryUrl(this.#issuer), { headers: { accept: 'application/json' } })
          .then((response) => readDiscovery(this.#issuer, response))
          .then((as) => this.#keep(as));
    this.#metadata.then(
      () => {
        this.#failures = 0;
      },
      (error: unknown) => {
        this.#metadata = undefined;
        this.#error = error;
        this.#failures++;
        this.#retryAt = this.#platform.now() + Math.min(60_000, 1000 * 2 ** (this.#failures - 1));
      },
    );
    return this.#metadata;
  }

  /**
   * Forgets the metadata after a request that may have failed because of it (the provider
   * moved an endpoint: 404), or unconditionally without `error`: the next request discovers again.
   */
  forget(error?: SsoError): void {
    // Not for `network`: an offline browser says nothing about the metadata.
    if (error && error.code !== 'discovery_failed' && error.status !== 404) return;
    this.#metadata = undefined;
    try {
      this.#platform.storage('session')?.removeItem(this.#key);
    } catch {
      // Nothing kept.
    }
  }

  get #key(): string {
    return scopedName('meta.discovery', this.#issuer);
  }

  /**
   * The metadata as this tab discovered it on an earlier page load, while younger than
   * {@link DISCOVERY_LIFETIME_MS} and still naming the configured issuer: a reload then asks
   * the provider one question fewer. Kept in sessionStorage, so only this tab's own reloads
   * use it and it never outlives the tab.
   */
  #kept(): ProviderMetadata | undefined {
    try {
      const kept = JSON.parse(this.#platform.storage('session')?.getItem(this.#key) ?? 'null') as {
        at?: unknown;
        as?: unknown;
      } | null;
      const age = this.#platform.now() - Number(kept?.at);
      if (!(age >= 0 && age < DISCOVERY_LIFETIME_MS)) return undefined;
      return checkDiscovery(this.#issuer, kept?.as);
    } catch {
      return undefined;
    }
  }

  #keep(as: ProviderMetadata): ProviderMetadata {
    try {
      this.#platform.storage('session')?.setItem(this.#key, JSON.stringify({ at: this.#platform.now(), as }));
    } catch {
      // Without storage every page load discovers again.
    }
    return as;
  }
}
