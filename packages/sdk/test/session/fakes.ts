import type { SessionClient, SessionClientEvent, SignedOutReason } from '../../src/session/index.js';
import type { ChannelLike, Platform, StorageLike } from '../../src/testing.js';

/** A clock whose timers fire only when the test advances it. `jump()` moves time without firing (sleep). */
export class FakeClock {
  now: number;
  #nextId = 1;
  readonly timers = new Map<number, { at: number; fn: () => void }>();
  readonly delays: number[] = [];

  constructor(start = Date.UTC(2026, 10, 26, 12)) {
    this.now = start;
  }

  setTimeout = (fn: () => void, ms: number): number => {
    this.delays.push(ms);
    const id = this.#nextId++;
    this.timers.set(id, { at: this.now + ms, fn });
    return id;
  };

  clearTimeout = (id: unknown): void => {
    this.timers.delete(id as number);
  };

  /** Moves time forward, firing due timers in order and letting promises settle after each. */
  async advance(ms: number): Promise<void> {
    const end = this.now + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.timers) if (!next || entry[1].at < next[1].at) next = entry;
      if (!next || next[1].at > end) break;
      this.timers.delete(next[0]);
      this.now = Math.max(this.now, next[1].at);
      next[1].fn();
      await flush();
    }
    this.now = Math.max(this.now, end);
    await flush();
  }

  /** The wall clock changes (device sleep, NTP, user) while timers do not run. */
  jump(ms: number): void {
    this.now += ms;
  }
}

export async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

/** An EventTarget that counts its listeners, so tests can prove `destroy()` removes them all. */
export class CountingTarget extends EventTarget {
  listeners = 0;
  visibilityState: 'visible' | 'hidden' = 'visible';

  override addEventListener(...args: Parameters<EventTarget['addEventListener']>): void {
    this.listeners++;
    super.addEventListener(...args);
  }

  override removeEventListener(...args: Parameters<EventTarget['removeEventListener']>): void {
    this.listeners--;
    super.removeEventListener(...args);
  }
}

/** A `StorageLike` over a map, without `storage` events. */
function mapStorage(items: Map<string, string>): StorageLike {
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
    get length() {
      return items.size;
    },
    key: (index) => [...items.keys()][index] ?? null,
  };
}

/** One browser: a clock, storage and BroadcastChannels shared by its tabs. */
export class FakeBrowser {
  readonly clock = new FakeClock();
  readonly storage = new Map<string, string>();
  readonly channels = new Set<FakeChannel>();
  readonly tabs: FakeTab[] = [];

  tab(options: { broadcastChannel?: boolean } = {}): FakeTab {
    const tab = new FakeTab(this, options.broadcastChannel ?? true);
    this.tabs.push(tab);
    return tab;
  }
}

class FakeChannel implements ChannelLike {
  onmessage: ((event: { data: unknown }) => void) | null = null;
  closed = false;

  constructor(
    readonly browser: FakeBrowser,
    readonly name: string,
  ) {
    browser.channels.add(this);
  }

  postMessage(message: unknown): void {
    // Structured clone, delivered asynchronously to every other channel of the same name.
    const data = structuredClone(message);
    for (const other of this.browser.channels) {
      if (other !== this && other.name === this.name && !other.closed) queueMicrotask(() => other.onmessage?.({ data }));
    }
  }

  close(): void {
    this.closed = true;
    this.browser.channels.delete(this);
  }
}

export class FakeTab {
  /** This tab's sessionStorage (kept across its reloads, as a browser does). */
  readonly session: StorageLike = mapStorage(new Map());
  readonly document = new CountingTarget();
  readonly window = new CountingTarget();
  readonly platform: Partial<Platform>;

  constructor(browser: FakeBrowser, broadcastChannel: boolean) {
    const storage = browser.storage;
    const local: StorageLike = {
      getItem: (key) => storage.get(key) ?? null,
      removeItem: (key) => storage.delete(key),
      setItem: (key, value) => {
        storage.set(key, value);
        // Like the real `storage` event: every other tab of the origin, asynchronously.
        for (const tab of browser.tabs) {
          if (tab !== this) {
            queueMicrotask(() => tab.window.dispatchEvent(Object.assign(new Event('storage'), { key, newValue: value })));
          }
        }
      },
      get length() {
        return storage.size;
      },
      key: (index) => [...storage.keys()][index] ?? null,
    };
    this.platform = {
      now: () => browser.clock.now,
      setTimeout: browser.clock.setTimeout,
      clearTimeout: browser.clock.clearTimeout,
      document: () => this.document,
      window: () => this.window,
      broadcastChannel: (name) => (broadcastChannel ? new FakeChannel(browser, name) : undefined),
      storage: (kind) => (kind === 'local' ? local : this.session),
    };
  }

  input(type = 'pointerdown'): void {
    this.document.dispatchEvent(new Event(type));
  }

  hide(): void {
    this.document.visibilityState = 'hidden';
    this.document.dispatchEvent(new Event('visibilitychange'));
  }

  show(): void {
    this.document.visibilityState = 'visible';
    this.document.dispatchEvent(new Event('visibilitychange'));
  }

  focus(): void {
    this.window.dispatchEvent(new Event('focus'));
  }
}

type Outcome = 'ok' | { code: string };

/**
 * The SDK core as the session layer sees it, per tab. Clients of one `FakeIdp` share the
 * provider's answers and, like the core, tell each other about sign-in and sign-out.
 */
export class FakeIdp {
  readonly clients: FakeClient[] = [];
  /** What the hidden iframe gets. */
  provider: Outcome = 'ok';
  /** What a refresh-token grant gets. */
  refresh: Outcome = { code: 'missing_refresh_token' };
  tokenSeconds = 150;
  /** Time a silent renewal takes (the clock moves while the request is out). */
  latencyMs = 0;

  constructor(readonly clock: FakeClock) {}

  client(): FakeClient {
    const client = new FakeClient(this);
    this.clients.push(client);
    return client;
  }
}

class SsoErrorLike extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

export class FakeClient implements SessionClient {
  authenticated = false;
  readonly calls: { renewVia: string; at: number }[] = [];
  readonly cleared: SignedOutReason[] = [];
  readonly redirects: unknown[] = [];
  logouts = 0;
  claims: { iat?: number; exp?: number; auth_time?: number; __raw?: string } | undefined;
  readonly #listeners = new Set<(event: SessionClientEvent) => void>();

  constructor(readonly idp: FakeIdp) {}

  get listenerCount(): number {
    return this.#listeners.size;
  }

  subscribe(listener: (event: SessionClientEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(event: SessionClientEvent): void {
    for (const listener of this.#listeners) listener(event);
  }

  /** Tokens arrive in this tab; the other tabs hear of them as the core tells them. */
  tokens(source: Extract<SessionClientEvent, { type: 'tokens' }>['source'], fromOtherTab = false): void {
    const at = this.idp.clock.now;
    const expiresAt = at + this.idp.tokenSeconds * 1000;
    this.authenticated = true;
    const event = {
      type: 'tokens' as const,
      source,
      throughProvider: source !== 'refresh_token',
      at,
      idTokenExpiresAt: expiresAt,
      accessTokenExpiresAt: expiresAt,
      sub: 'alice',
      fromOtherTab,
    };
    this.emit(event);
    if (!fromOtherTab) {
      for (const other of this.idp.clients) {
        if (other !== this) {
          other.authenticated = true;
          other.emit({ ...event, fromOtherTab: true });
        }
      }
    }
  }

  async getTokenSilently(options: { cacheMode: 'off'; renewVia: 'provider' | 'refresh_token' }): Promise<unknown> {
    this.calls.push({ renewVia: options.renewVia, at: this.idp.clock.now });
    await Promise.resolve();
    this.idp.clock.now += this.idp.latencyMs;
    const outcome = options.renewVia === 'provider' ? this.idp.provider : this.idp.refresh;
    if (outcome !== 'ok') {
      this.emit({ type: 'renewal_failed', code: outcome.code, at: this.idp.clock.now });
      throw new SsoErrorLike(outcome.code);
    }
    this.tokens(options.renewVia === 'provider' ? 'iframe' : 'refresh_token');
    return 'access-token';
  }

  async clearSession(reason: SignedOutReason): Promise<void> {
    this.cleared.push(reason);
    for (const client of this.idp.clients) {
      client.authenticated = false;
      client.emit({ type: 'signed_out', reason, fromOtherTab: client !== this });
    }
  }

  async isAuthenticated(): Promise<boolean> {
    return this.authenticated;
  }

  async getIdTokenClaims() {
    return this.authenticated ? this.claims : undefined;
  }

  async logout(): Promise<void> {
    this.logouts++;
    await this.clearSession('logout');
  }

  async loginWithRedirect(options?: unknown): Promise<void> {
    this.redirects.push(options);
  }
}
