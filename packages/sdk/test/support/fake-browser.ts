// The platform seam for unit tests: a fake clock and timers, in-memory storage, a lock and a
// broadcast bus shared by "tabs", and navigators that ask the fake provider directly.
import type { NavigationRequest, Platform } from '../../src/index.js';
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
  callback: () => void;
}

export class FakeBrowser {
  time = Date.UTC(2026, 0, 1);
  readonly local = new MemoryStorage();
  readonly #timers = new Set<Timer>();
  readonly #listeners = new Set<{ name: string; tab: FakeTab; onMessage: (m: unknown) => void }>();
  #lockChain = new Map<string, Promise<unknown>>();
  lockCalls = 0;

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

  tab(url = `${APP}/`): FakeTab {
    return new FakeTab(this, url);
  }

  setTimeout(callback: () => void, ms: number): Timer {
    const timer = { at: this.time + ms, callback };
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

  channel(tab: FakeTab, name: string, onMessage: (m: unknown) => void) {
    const entry = { name, tab, onMessage };
    this.#listeners.add(entry);
    return {
      post: (message: unknown) => {
        const copy = JSON.parse(JSON.stringify(message));
        tab.posted.push(copy);
        for (const other of this.#listeners) {
          if (other.name === name && other.tab !== tab) queueMicrotask(() => other.onMessage(copy));
        }
      },
      close: () => this.#listeners.delete(entry),
    };
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
      fetch: (input, init) => this.fetch(input, init),
      now: b.now,
      setTimeout: (callback, ms) => b.setTimeout(callback, ms),
      clearTimeout: (handle) => b.clearTimeout(handle),
      storage: (kind) => (kind === 'local' ? b.local : this.session),
      lock: (name, _timeout, task) => b.lock(name, task),
      channel: (name, onMessage) => b.channel(this, name, onMessage),
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
