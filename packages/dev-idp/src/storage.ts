import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Adapter, AdapterPayload } from 'oidc-provider';

interface Entry {
  model: string;
  id: string;
  payload: AdapterPayload;
  /** Epoch milliseconds after which the entry is gone; undefined = no expiry. */
  expiresAt: number | undefined;
  /** Sessions only: epoch seconds of the last save that slid the idle deadline. */
  lastActiveAt?: number;
}

interface FileShape {
  version: 1;
  secrets: Record<string, unknown>;
  entries: Entry[];
}

/** Models whose records belong to a grant and go when the grant is revoked. */
const grantable = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
]);

/**
 * The IdP's whole state: oidc-provider's models (sessions, grants, codes, tokens, interactions)
 * and, with a file, the signing and cookie keys, so a restarted IdP accepts its own cookies and
 * tokens. Lookups by uid or grant scan linearly, which is fine at development scale.
 *
 * Session expiry is exact: a session is gone at its `exp`, not `exp + clockTolerance` as
 * oidc-provider's own memory adapter does, because the idle deadline is this server's own
 * clock compared with itself and tests read it back through `listSessions()`.
 */
export class Store {
  readonly #entries = new Map<string, Entry>();
  readonly #file: string | undefined;
  readonly #clockTolerance: number;
  /** Session id → epoch seconds, set by the session TTL function just before oidc-provider saves. */
  readonly #activity = new Map<string, number>();
  #secrets: Record<string, unknown> = {};

  constructor(options: { file?: string | undefined; clockToleranceSeconds: number }) {
    this.#file = options.file;
    this.#clockTolerance = options.clockToleranceSeconds;
    if (this.#file) this.#load(this.#file);
  }

  /** Keys that must survive a restart (JWKS, cookie keys); created by `make` on first use. */
  async secret<T>(name: string, make: () => T | Promise<T>): Promise<T> {
    if (!(name in this.#secrets)) {
      this.#secrets[name] = await make();
      this.#persist();
    }
    return this.#secrets[name] as T;
  }

  adapterFactory(): (model: string) => Adapter {
    return (model) => new StoreAdapter(this, model);
  }

  /** Called by the session TTL function: the next save of this session is activity at `at`. */
  noteSessionActivity(sessionId: string, at: number): void {
    this.#activity.set(sessionId, at);
  }

  get(model: string, id: string): Entry | undefined {
    const key = `${model}:${id}`;
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  find(model: string, predicate: (payload: AdapterPayload) => boolean): Entry | undefined {
    return this.list(model).find((entry) => predicate(entry.payload));
  }

  list(model: string): Entry[] {
    const now = Date.now();
    const result: Entry[] = [];
    for (const entry of this.#entries.values()) {
      if (entry.model !== model) continue;
      if (entry.expiresAt !== undefined && entry.expiresAt <= now) continue;
      result.push(entry);
    }
    return result;
  }

  upsert(model: string, id: string, payload: AdapterPayload, expiresIn: number | undefined): void {
    const key = `${model}:${id}`;
    const now = Date.now();
    let expiresAt: number | undefined;
    if (model === 'Session' && typeof payload.exp === 'number') {
      expiresAt = payload.exp * 1000;
    } else if (typeof payload.exp === 'number') {
      expiresAt = (payload.exp + this.#clockTolerance) * 1000;
    } else if (typeof expiresIn === 'number') {
      expiresAt = now + (expiresIn + this.#clockTolerance) * 1000;
    }
    const entry: Entry = { model, id, payload, expiresAt };
    if (model === 'Session') {
      const active = this.#activity.get(id);
      this.#activity.delete(id);
      entry.lastActiveAt = active ?? this.#entries.get(key)?.lastActiveAt ?? Math.floor(now / 1000);
    }
    this.#entries.set(key, entry);
    this.#sweep(now);
    this.#persist();
  }

  delete(model: string, id: string): void {
    if (this.#entries.delete(`${model}:${id}`)) this.#persist();
  }

  consume(model: string, id: string): void {
    const entry = this.get(model, id);
    if (!entry) return;
    entry.payload = { ...entry.payload, consumed: Math.floor(Date.now() / 1000) };
    this.#persist();
  }

  /** Removes every code and token issued under the grant, and the grant itself. */
  revokeGrant(grantId: string): void {
    for (const [key, entry] of this.#entries) {
      if (
        (grantable.has(entry.model) && entry.payload.grantId === grantId) ||
        (entry.model === 'Grant' && entry.id === grantId)
      ) {
        this.#entries.delete(key);
      }
    }
    this.#persist();
  }

  /** Revokes tokens of one model issued under the grant (oidc-provider's per-model call). */
  revokeModelGrant(model: string, grantId: string): void {
    for (const [key, entry] of this.#entries) {
      if (entry.model === model && entry.payload.grantId === grantId) this.#entries.delete(key);
    }
    this.#persist();
  }

  #sweep(now: number): void {
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt !== undefined && entry.expiresAt <= now) this.#entries.delete(key);
    }
  }

  #load(file: string): void {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    const data = JSON.parse(text) as FileShape;
    if (data.version !== 1) throw new Error(`${file}: unknown storage version ${String(data.version)}`);
    this.#secrets = data.secrets ?? {};
    for (const entry of data.entries ?? []) this.#entries.set(`${entry.model}:${entry.id}`, entry);
    this.#sweep(Date.now());
  }

  #persist(): void {
    if (!this.#file) return;
    const data: FileShape = { version: 1, secrets: this.#secrets, entries: [...this.#entries.values()] };
    // Write-then-rename so a crash never leaves half a file behind.
    mkdirSync(dirname(this.#file), { recursive: true });
    const temp = `${this.#file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(data), { mode: 0o600 });
    renameSync(temp, this.#file);
  }
}

/** oidc-provider's adapter interface over one model of the store. */
class StoreAdapter implements Adapter {
  readonly #store: Store;
  readonly #model: string;

  constructor(store: Store, model: string) {
    this.#store = store;
    this.#model = model;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    this.#store.upsert(this.#model, id, payload, expiresIn);
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return this.#store.get(this.#model, id)?.payload;
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.#store.find(this.#model, (payload) => payload.userCode === userCode)?.payload;
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.#store.find(this.#model, (payload) => payload.uid === uid)?.payload;
  }

  async consume(id: string): Promise<void> {
    this.#store.consume(this.#model, id);
  }

  async destroy(id: string): Promise<void> {
    this.#store.delete(this.#model, id);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    this.#store.revokeModelGrant(this.#model, grantId);
  }
}
