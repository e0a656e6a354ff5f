/**
 * Every side effect of the session layer enters here, so unit tests replace this one seam
 * (a fake clock, fake event targets, a fake BroadcastChannel) and never the project's modules.
 */

/** The part of `BroadcastChannel` the session layer uses. */
export interface ChannelLike {
  /** Sends `message` to the other tabs (never to this one). */
  postMessage(message: unknown): void;
  /** Stops receiving and sending. */
  close(): void;
  /** Receives the other tabs' messages. */
  onmessage: ((event: { data: unknown }) => void) | null;
}

/** The part of `Storage` the session layer uses. */
export interface StorageLike {
  /** The value under `key`, or `null`. */
  getItem(key: string): string | null;
  /** Stores `value` under `key`; other tabs see a `storage` event. */
  setItem(key: string, value: string): void;
  /** Deletes `key`. */
  removeItem(key: string): void;
}

/** The one seam for the session layer's side effects (option `platform` of the session manager). */
export interface SessionPlatform {
  /** Wall-clock time, epoch milliseconds. */
  now(): number;
  /** Schedules `callback` after `ms` milliseconds; returns a handle for `clearTimeout`. */
  setTimeout(callback: () => void, ms: number): unknown;
  /** Cancels a callback scheduled with `setTimeout`. */
  clearTimeout(handle: unknown): void;
  /** Where input and `visibilitychange` are observed; `undefined` outside a browser. */
  document:
    | (EventTarget & {
        /** `visible` or `hidden`: a hidden tab's input timers are not trusted after a sleep. */
        readonly visibilityState?: string;
      })
    | undefined;
  /** Where `focus`, `pageshow`, `online` and `storage` are observed. */
  window: EventTarget | undefined;
  /** A channel shared by the tabs of this site; `undefined` where BroadcastChannel is missing. */
  createChannel: ((name: string) => ChannelLike) | undefined;
  /** Shared between tabs (localStorage); `undefined` where storage is disabled. */
  storage: StorageLike | undefined;
}

function localStorageOrUndefined(): StorageLike | undefined {
  try {
    // Reading the property throws a SecurityError where storage is disabled.
    const storage = globalThis.localStorage;
    return storage ?? undefined;
  } catch {
    return undefined;
  }
}

/**
 * The real browser, read when a manager is created, never at import time (the SDK is
 * SSR-safe and side-effect free). Outside a browser only the clock and timers exist.
 */
export function browserPlatform(): SessionPlatform {
  const g = globalThis as typeof globalThis & { document?: Document; window?: Window };
  return {
    now: () => Date.now(),
    setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
    clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
    document: g.document,
    window: g.window,
    createChannel:
      typeof globalThis.BroadcastChannel === 'function'
        ? (name) => new globalThis.BroadcastChannel(name) as unknown as ChannelLike
        : undefined,
    storage: localStorageOrUndefined(),
  };
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
