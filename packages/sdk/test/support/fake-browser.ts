// The platform seam for unit tests: a fake clock and timers, in-memory storage, a lock and a
// broadcast bus shared by "tabs", and navigators that ask the fake provider directly.
import { vi } from 'vitest';
import type { ChannelLike, NavigationRequest, Platform } from '../../src/testing.js';
import { APP, type FakeOp } from './fake-op.js';

export class MemoryStorage implements Storage {
  readonly #items = new Map<string, string>();
  failWrites = false;
  get length() {
    return this.#items.size;
  }
  clear() {
    this.#items.clear();
  }
  getItem(key: string) {
    return this.#items.get(key) ?? null;
  }
  key(index: number) {
    return [...this.#items.keys()][index] ?? null;
  }
  removeItem(key: string) {
    this.#items.delete(key);
  }
  setItem(key: string, value: string) {
    if (this.failWrites) throw new DOMException('full', 'QuotaExceededError');
    this.#items.set(key, String(value));
  }
  keys() {
    return [...this.#items.keys()];
  }
}

interface Timer {
  at: number;
  /** The delay it was armed with, so a test can wait for a particular timer. */
  ms: number;
  callback: () => void;
}

/** A request that went out through a tab's network edge and has not settled yet. */
export interface InFlight {
  url: string;
  body: string;
}

export class FakeBrowser {
  time = Date.UTC(2026, 0, 1);
  readonly local = new MemoryStorage();
  readonly #timers = new Set<Timer>();
  readonly #listeners = new Set<{ name: string; tab: FakeTab; channel: ChannelLike }>();
  #lockChain = new Map<string, Promise<unknown>>();
  lockCalls = 0;
  /** Requests started at any tab's network edge that have neither answered nor failed. */
  readonly inFlight = new Set<InFlight>();
  /** Every request that went out through any tab's network edge, in order. */
  readonly requested: InFlight[] = [];

  constructor(readonly op: FakeOp) {}

  now = () => this.time;

  advance(ms: number): void {
    this.time += ms;
    for (const timer of [...this.#timers]) {
      if (timer.at <= this.time) {
        this.#timers.delete(timer);
        timer.callback();
      }
    }
  }

  get pendingTimers(): number {
    return this.#timers.size;
  }

  /**
   * Resolves once `count` requests are in flight at the network edge (optionally only those
   * whose URL or body matches `match`). Real async work (WebCrypto, a response body) can sit
   * between a call and its request, so a test must wait for this before it moves the clock:
   * a timeout armed after `advance()` would never fire.
   */
  async untilInFlight(count = 1, match?: RegExp): Promise<void> {
    await vi.waitFor(
      () => {
        const n = [...this.inFlight].filter((r) => !match || match.test(r.url) || match.test(r.body)).length;
        if (n < count) throw new Error(`${n} of ${count} requests in flight${match ? ` matching ${match}` : ''}`);
      },
      { timeout: 4_000, interval: 1 },
    );
  }

  /**
   * Resolves once `count` requests matching `match` (URL or body) have gone out, answered or
   * not: for a response whose body never ends, the request is answered but the exchange is not.
   */
  async untilRequested(match: RegExp, count = 1): Promise<void> {
    await vi.waitFor(
      () => {
        const n = this.requested.filter((r) => match.test(r.url) || match.test(r.body)).length;
        if (n < count) throw new Error(`${n} of ${count} requests matching ${match} sent`);
      },
      { timeout: 4_000, interval: 1 },
    );
  }

  /** Resolves once a timer armed with delay `ms` (any delay if omitted) is pending. */
  async untilTimer(ms?: number): Promise<void> {
    await vi.waitFor(
      () => {
        if (![...this.#timers].some((t) => ms === undefined || t.ms === ms))
          throw new Error(`no timer of ${ms ?? 'any'} ms armed`);
      },
      { timeout: 4_000, interval: 1 },
    );
  }

  /**
   * Settles `work` that polls on a timer of `ms`: each time that timer is armed, moves the clock
   * by `ms`; never moves it before the timer exists, however slow the machine.
   */
  async driveTimers<T>(work: Promise<T>, ms: number): Promise<T> {
    let done = false;
    const settled = work.then(
      () => {
        done = true;
      },
      () => {
        done = true;
      },
    );
    for (;;) {
      await vi.waitFor(
        () => {
          if (!done && ![...this.#timers].some((t) => t.ms === ms)) throw new Error(`no timer of ${ms} ms armed`);
        },
        { timeout: 4_000, interval: 1 },
      );
      if (done) break;
      this.advance(ms);
    }
    await settled;
    return work;
  }

  tab(url = `${APP}/`): FakeTab {
    return new FakeTab(this, url);
  }

  setTimeout(callback: () => void, ms: number): Timer {
    const timer = { at: this.time + ms, ms, callback };
    this.#timers.add(timer);
    return timer;
  }

  clearTimeout(timer: unknown): void {
    this.#timers.delete(timer as Timer);
  }

  async lock<T>(name: string, task: () => Promise<T>): Promise<T> {
    this.lockCalls++;
    const previous = this.#lockChain.get(name) ?? Promise.resolve();
    const run = previous.catch(() => {}).then(task);
    this.#lockChain.set(name, run);
    return run;
  }

  broadcastChannel(tab: FakeTab, name: string): ChannelLike {
    const channel: ChannelLike = {
      onmessage: null,
      postMessage: (message: unknown) => {
        const copy = JSON.parse(JSON.stringify(message));
        tab.posted.push(copy);
        for (const other of this.#listeners) {
          if (other.name === name && other.tab !== tab) queueMicrotask(() => other.channel.onmessage?.({ data: copy }));
        }
      },
      close: () => this.#listeners.delete(entry),
    };
    const entry = { name, tab, channel };
    this.#listeners.add(entry);
    return channel;
  }
}

export class FakeTab {
  readonly session = new MemoryStorage();
  readonly navigations: string[] = [];
  readonly frames: NavigationRequest[] = [];
  readonly posted: unknown[] = [];
  readonly replaced: string[] = [];
  popupBlocked = false;
  /** Replaces the hidden iframe's behaviour. */
  frameAnswer: ((request: NavigationRequest) => Promise<URLSearchParams>) | undefined;
  readonly platform: Partial<Platform>;
  /** This tab's network edge; replace it to go offline. */
  fetch: typeof fetch;

  constructor(
    readonly browser: FakeBrowser,
    public url: string,
  ) {
    const b = browser;
    this.fetch = b.op.fetch;
    this.platform = {
      fetch: (input, init) => {
        // Counted here, around whatever `this.fetch` a test installed, so every fault is seen.
        const request = { url: String(input instanceof Request ? input.url : input), body: String(init?.body ?? '') };
        b.requested.push(request);
        b.inFlight.add(request);
        let answer: Promise<Response>;
        try {
          answer = Promise.resolve(this.fetch(input, init));
        } catch (error) {
          answer = Promise.reject(error);
        }
        return answer.finally(() => b.inFlight.delete(request));
      },
      now: b.now,
      setTimeout: (callback, ms) => b.setTimeout(callback, ms),
      clearTimeout: (handle) => b.clearTimeout(handle),
      storage: (kind) => (kind === 'local' ? b.local : this.session),
      lock: (name, _timeout, task) => b.lock(name, task),
      broadcastChannel: (name) => b.broadcastChannel(this, name),
      currentUrl: () => this.url,
      replaceUrl: (url) => {
        this.replaced.push(url);
        this.url = url;
      },
      navigate: (url) => {
        this.navigations.push(url);
      },
      iframe: async (request) => {
        this.frames.push(request);
        if (this.frameAnswer) return this.frameAnswer(request);
        return b.op.authorize(request.url);
      },
      openPopup: () => (this.popupBlocked ? undefined : ({} as Window)),
      popup: async (request) => b.op.authorize(request.url),
    };
  }
}
