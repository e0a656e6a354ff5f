import { SsoError } from './errors.js';

/** What a navigator needs to run one `prompt=none` or popup round trip. */
export interface NavigationRequest {
  /** The authorization URL to load. */
  url: string;
  /** The only origin whose messages are accepted: the provider's (web_message) or the app's (silent-callback page). */
  messageOrigin: string;
  /** The transaction's state: a message from our window with another state fails with `state_mismatch`. */
  state: string;
  /** How long to wait for the response before failing with `timeout`. */
  timeoutMs: number;
  /** For popups: a window opened earlier, synchronously in the click handler. */
  popup?: Window;
  /** For popups: close it when done (default true). */
  closePopup?: boolean;
}

/** The part of `Storage` the SDK uses. */
export interface StorageLike {
  /** The value under `key`, or `null`. */
  getItem(key: string): string | null;
  /** Stores `value` under `key`; other tabs of the origin see a `storage` event (localStorage). */
  setItem(key: string, value: string): void;
  /** Deletes `key`. */
  removeItem(key: string): void;
  /** How many keys there are, for {@link StorageLike.key}. */
  readonly length: number;
  /** The `index`-th key, to find the SDK's own entries among the app's. */
  key(index: number): string | null;
}

/** The part of `BroadcastChannel` the SDK uses. */
export interface ChannelLike {
  /** Sends `message` to the other tabs (never to this one). */
  postMessage(message: unknown): void;
  /** Stops receiving and sending. */
  close(): void;
  /** Receives the other tabs' messages. */
  onmessage: ((event: { data: unknown }) => void) | null;
}

/**
 * The one seam for side effects, shared by the client, the session manager and the dialog.
 * The SDK never touches a browser global except through this object, so tests replace it
 * instead of the SDK's own modules, and importing the SDK touches nothing (each default reads
 * its global only when called).
 */
export interface Platform {
  /** The network edge: every discovery, token, JWKS and revocation request goes through it. */
  fetch: typeof fetch;
  /** Epoch milliseconds. */
  now(): number;
  /** False when the browser knows it is offline (`navigator.onLine`); true when it cannot tell. */
  online(): boolean;
  /** Schedules `callback` after `ms` milliseconds; returns a handle for {@link Platform.clearTimeout}. */
  setTimeout(callback: () => void, ms: number): unknown;
  /** Cancels a callback scheduled with {@link Platform.setTimeout}. */
  clearTimeout(handle: unknown): void;
  /** `localStorage` / `sessionStorage`, or `undefined` when disabled or absent. */
  storage(kind: 'local' | 'session'): StorageLike | undefined;
  /** A BroadcastChannel shared by the tabs of this origin, or `undefined` where there is none. */
  broadcastChannel(name: string): ChannelLike | undefined;
  /** Runs `task` holding the named cross-tab lock (Web Locks API); `timeout` if it cannot be taken in time. */
  lock<T>(name: string, timeoutMs: number, task: () => Promise<T>): Promise<T>;
  /**
   * Takes the named cross-tab lock only if it is free, without waiting: resolves with a
   * `release(afterMs)` function, or `undefined` when another tab (or this one) holds it.
   */
  claim(name: string): Promise<((afterMs: number) => void) | undefined>;
  /** Where input and `visibilitychange` are observed; `undefined` outside a browser. */
  document(): (EventTarget & { readonly visibilityState?: string }) | undefined;
  /** Where `focus`, `pageshow`, `online` and `storage` are observed; `undefined` outside a browser. */
  window(): EventTarget | undefined;
  /** The current address, or `undefined` outside a browser. */
  currentUrl(): string | undefined;
  /** `history.replaceState` to `url` (same document). */
  replaceUrl(url: string): void;
  /**
   * The window this page was opened in, when the SDK may have opened it: the parent frame, or
   * else the opener, and only when it is on this page's origin.
   */
  opener(): Pick<Window, 'postMessage'> | undefined;
  /** Top-level navigation (`location.assign`). */
  navigate(url: string): void | Promise<void>;
  /** Hidden iframe round trip; resolves with the authorization response parameters. */
  iframe(request: NavigationRequest): Promise<URLSearchParams>;
  /** Opens an empty popup window synchronously (inside the click handler), or `undefined` when blocked. */
  openPopup(features: string): Window | undefined;
  /** Popup round trip in `request.popup`; resolves with the authorization response parameters. */
  popup(request: NavigationRequest): Promise<URLSearchParams>;
}

function storage(kind: 'local' | 'session'): StorageLike | undefined {
  try {
    const store = (globalThis as Record<string, unknown>)[`${kind}Storage`] as Storage | undefined;
    // Reading the property can throw (SecurityError) when storage is disabled.
    store?.getItem('sso-spa');
    return store;
  } catch {
    return undefined;
  }
}

async function lock<T>(name: string, timeoutMs: number, task: () => Promise<T>): Promise<T> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (!locks) return task();
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    return await locks.request(name, { signal: abort.signal }, () => {
      clearTimeout(timer);
      return task();
    });
  } catch (error) {
    if (abort.signal.aborted && !(error instanceof SsoError)) {
      throw new SsoError('timeout', 'Timed out waiting for another tab', { cause: error });
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

function claim(name: string): Promise<((afterMs: number) => void) | undefined> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (!locks) return Promise.resolve(() => {});
  return new Promise((resolve, reject) => {
    locks
      .request(name, { ifAvailable: true }, (held) => {
        if (!held) {
          resolve(undefined);
          return undefined;
        }
        return new Promise<void>((release) => resolve((afterMs) => setTimeout(release, afterMs)));
      })
      .catch(reject);
  });
}

function opener(): Window | undefined {
  const win = globalThis.window as Window | undefined;
  if (!win) return undefined;
  const target = win.parent !== win ? win.parent : (win.opener as Window | null);
  try {
    // Reading another origin's location throws: such a window did not open us for the SDK.
    return target && target.location.origin === win.location.origin ? target : undefined;
  } catch {
    return undefined;
  }
}

const noNavigator = (): Promise<never> =>
  Promise.reject(new SsoError('invalid_options', 'No navigator for this round trip in this entry point'));

/** The part of the {@link Platform} the session layer and the cross-tab channel use. */
export type BasicPlatform = Pick<
  Platform,
  'now' | 'setTimeout' | 'clearTimeout' | 'storage' | 'broadcastChannel' | 'document' | 'window' | 'currentUrl'
>;

/**
 * The browser's clock, timers, storage, channels and event targets, with `overrides` applied:
 * all `sso-spa/session` needs, so its entry point carries nothing else of the platform.
 */
export function basicPlatform(overrides: Partial<Platform> = {}): BasicPlatform & Partial<Platform> {
  const g = globalThis as typeof globalThis & { document?: Document; window?: Window };
  return {
    now: () => Date.now(),
    setTimeout: (callback, ms) => setTimeout(callback, ms),
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    storage,
    broadcastChannel: (name) =>
      typeof BroadcastChannel === 'function' ? (new BroadcastChannel(name) as unknown as ChannelLike) : undefined,
    // Read when used, never when created: constructing the SDK touches no browser global (SSR).
    document: () => g.document,
    window: () => g.window,
    currentUrl: () => globalThis.location?.href,
    ...overrides,
  };
}

/**
 * The browser implementation of {@link Platform}, with `overrides` applied. The hidden-iframe
 * and popup navigators are not part of it (the session manager never needs them, and its
 * entry point should not carry them): the client passes them in.
 */
export function createPlatform(overrides: Partial<Platform> = {}): Platform {
  return basicPlatform({
    fetch: (input, init) => globalThis.fetch(input, init),
    online: () => (globalThis.navigator as Navigator | undefined)?.onLine !== false,
    lock,
    claim,
    opener,
    replaceUrl: (url) => globalThis.history?.replaceState(globalThis.history.state, '', url),
    navigate: (url) => globalThis.location.assign(url),
    iframe: noNavigator,
    openPopup: (features) => globalThis.open('', 'sso-spa:authorize', features) ?? undefined,
    popup: noNavigator,
    ...overrides,
  }) as Platform;
}

/** Adds one listener for several event types; returns the function that removes them all. */
export function listen(
  target: EventTarget | undefined,
  types: readonly string[],
  listener: (event: Event) => void,
  options?: AddEventListenerOptions,
): () => void {
  for (const type of types) target?.addEventListener(type, listener, options);
  return () => {
    for (const type of types) target?.removeEventListener(type, listener, options);
  };
}
