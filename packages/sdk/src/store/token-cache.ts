import type { TokenSet } from '../protocol/token.js';
import {
  type CachedTokens,
  consistentEntry,
  isTokenEntry,
  MAX_TOKEN_LIFETIME_MS,
  newerFormat,
  ownIdToken,
  type TokenEntry,
  type UserEntry,
} from './cache-entry.js';
import { type CustomCache, KEY_PREFIX, LocalStorageCache, MemoryCache } from './cache-store.js';

export type { CachedTokens } from './cache-entry.js';
export { MAX_TOKEN_LIFETIME_MS } from './cache-entry.js';

/** What a lookup found: a valid pair, a refresh token, or neither. */
export interface CacheLookup {
  key: string;
  tokens?: CachedTokens;
  refreshToken?: string;
}

const scopes = (scope: string) => new Set(scope.split(' ').filter(Boolean));

/**
 * The token cache: ID and access tokens stored as a pair keyed by issuer, client, audience and
 * scope. A pair counts as gone as soon as either token is within the renewal margin of its
 * expiry, so a token it returns is always valid. Expiry comes from the lifetimes
 * (`expires_in`, ID token `exp - iat`) and the local receipt time, so a wrong device clock
 * does not shorten or stretch it. Entries of another issuer or client, or of the wrong shape,
 * are misses. Entries are also checked against their own ID token (issuer, client, user) and
 * their expiries against its lifetime and {@link MAX_TOKEN_LIFETIME_MS}: an entry planted in
 * shared storage by someone else cannot claim another user or a token valid for centuries.
 * These checks cannot authenticate an entry (the SDK keeps no key to sign with), only make a
 * planted one as short-lived and self-consistent as a real one.
 */
export class TokenCache {
  readonly #store: CustomCache;
  readonly #issuer: string;
  readonly #clientId: string;
  readonly #now: () => number;
  readonly #marginMs: number;
  /** Keys written by this instance, for stores that cannot list their keys. */
  readonly #written = new Set<string>();
  /**
   * Entry objects already checked, with the key they passed under. A store that returns the
   * same object until the entry changes (the memory cache; localStorage through
   * LocalStorageCache, while its text is unchanged) makes a cache hit skip decoding the ID
   * token again; any change (a write here or in another tab) is a new object, checked afresh.
   */
  readonly #checked = new WeakMap<object, string>();
  /** The store answers without a promise (the SDK's own stores), so {@link peek} may ask it. */
  readonly #syncStore: boolean;
  /** The last key built, with its audience and scope (see {@link key}). */
  #lastKey: [string, string, string] | undefined;

  constructor(store: CustomCache, issuer: string, clientId: string, now: () => number, marginSeconds: number) {
    this.#store = store;
    this.#syncStore = store instanceof MemoryCache || store instanceof LocalStorageCache;
    this.#issuer = issuer;
    this.#clientId = clientId;
    this.#now = now;
    this.#marginMs = marginSeconds * 1000;
  }

  /** The key of an audience and scope. */
  key(audience: string, scope: string): string {
    // The last one is kept: a cache hit asks for the same key every time, and one string
    // object makes the hit's comparison with the checked entry's key a pointer comparison.
    const last = this.#lastKey;
    if (last?.[0] === audience && last[1] === scope) return last[2];
    const key = `${KEY_PREFIX}${this.#issuer}::${this.#clientId}::${audience}::${scope}`;
    this.#lastKey = [audience, scope, key];
    return key;
  }

  get #userKey(): string {
    return `${KEY_PREFIX}${this.#issuer}::${this.#clientId}::@@user@@`;
  }

  /**
   * The hot path of a cache hit: the valid pair under the exact key, without an await, when
   * the store answers synchronously (memory, Web Storage) with the very entry checked before
   * (unchanged since, here and in other tabs). `undefined` means "look properly" ({@link get}).
   */
  peek(audience: string, scope: string): CachedTokens | undefined {
    if (!this.#syncStore) return undefined;
    const key = this.key(audience, scope);
    const entry = this.#store.get(key) as TokenEntry | undefined;
    if (!entry || this.#checked.get(entry) !== key) return undefined;
    return entry.tokens && this.#fresh(entry.tokens) ? entry.tokens : undefined;
  }

  /** Finds the pair for `audience` whose scope covers `scope` (exact key first), dropping expired pairs. */
  async get(audience: string, scope: string): Promise<CacheLookup> {
    const key = this.key(audience, scope);
    const exact = await this.#read(key);
    if (exact?.tokens || !this.#store.allKeys) return this.#lookup(key, exact);
    const wanted = scopes(scope);
    const prefix = this.key(audience, '');
    for (const other of await this.#store.allKeys()) {
      if (other === key || !other.startsWith(prefix)) continue;
      const entry = await this.#read(other);
      const have = entry && scopes(entry.scope);
      if (entry?.tokens && have && [...wanted].every((s) => have.has(s))) return this.#lookup(other, entry);
    }
    return this.#lookup(key, exact);
  }

  #lookup(key: string, entry: TokenEntry | undefined): CacheLookup {
    return {
      key,
      ...(entry?.tokens ? { tokens: entry.tokens } : {}),
      ...(entry?.refresh_token ? { refreshToken: entry.refresh_token } : {}),
    };
  }

  /**
   * Reads and checks one entry; an expired pair reads as absent (the refresh token stays).
   * A read never writes an expired entry back: reads happen outside the cross-tab lock, and
   * a write-back of what was read could overwrite the rotated refresh token that another tab
   * stored a moment earlier (then this tab, or the next, resends a rotated token and the
   * provider revokes the whole grant). The entry is replaced when new tokens are saved.
   */
  async #read(key: string): Promise<TokenEntry | undefined> {
    const entry = (await this.#store.get(key)) as TokenEntry | undefined;
    // The entry must belong under this very key: another audience's or scope's tokens copied
    // here (or another client's) are not ours to hand out.
    if (entry && this.#checked.get(entry) === key) return this.#unexpired(entry);
    if (
      !isTokenEntry(entry, this.#issuer, this.#clientId) ||
      this.key(entry.audience, entry.scope) !== key ||
      !consistentEntry(entry, this.#issuer, this.#clientId)
    ) {
      if (entry !== undefined && !newerFormat(entry) && key.startsWith(`${KEY_PREFIX}${this.#issuer}::${this.#clientId}::`))
        await this.#store.remove(key);
      return undefined;
    }
    this.#checked.set(entry, key);
    return this.#unexpired(entry);
  }

  /** The entry, without its pair once either token is due for renewal (the refresh token stays). */
  #unexpired(entry: TokenEntry): TokenEntry {
    const tokens = entry.tokens;
    if (tokens && !this.#fresh(tokens)) {
      const { tokens: _expired, ...rest } = entry;
      return rest;
    }
    return entry;
  }

  #fresh(tokens: CachedTokens): boolean {
    const expiresAt = Math.min(tokens.idTokenExpiresAt, tokens.accessTokenExpiresAt);
    const margin = Math.min(this.#marginMs, (expiresAt - tokens.receivedAt) / 10);
    const now = this.#now();
    // A clock that went backwards past the receipt time is not trusted either.
    return now >= tokens.receivedAt - 60_000 && now < expiresAt - margin;
  }

  /**
   * Stores a token response as one entry (one write, so a rotated refresh token replaces the
   * old one atomically; without a new one the old one is kept). A different `sub` than the
   * stored user's first purges every entry of this client: tokens of two users never mix.
   * @returns whether the user changed.
   */
  async save(
    audience: string,
    scope: string,
    set: TokenSet,
    receivedAt: number,
  ): Promise<{ userChanged: boolean; tokens: CachedTokens }> {
    const sub = set.claims.sub;
    const previous = await this.user();
    const userChanged = previous !== undefined && previous.sub !== sub;
    if (userChanged) await this.clear();
    const key = this.key(audience, scope);
    const old = userChanged ? undefined : await this.#read(key);
    const tokens: CachedTokens = {
      access_token: set.access_token,
      id_token: set.id_token,
      token_type: set.token_type,
      scope: set.scope ?? scope,
      sub,
      receivedAt,
      // Without a new ID token (a refresh the provider answered without one) the identity is
      // carried over and the pair lives as long as its new access token: the provider vouched
      // for the session by renewing it. Otherwise the pair expires with the earlier of the two.
      idTokenExpiresAt:
        receivedAt +
        Math.min((set.idTokenCarried ? set.expires_in : set.claims.exp - set.claims.iat) * 1000, MAX_TOKEN_LIFETIME_MS),
      accessTokenExpiresAt: receivedAt + Math.min(set.expires_in * 1000, MAX_TOKEN_LIFETIME_MS),
      ...(set.idTokenCarried ? { idTokenCarried: true as const } : {}),
    };
    const refreshToken = set.refresh_token ?? (old?.sub === sub ? old.refresh_token : undefined);
    const entry: TokenEntry = {
      v: 1,
      issuer: this.#issuer,
      clientId: this.#clientId,
      audience,
      scope,
      sub,
      tokens,
      ...(refreshToken ? { refresh_token: refreshToken } : {}),
    };
    this.#written.add(key);
    await this.#store.set(key, entry);
    const user: UserEntry = { v: 1, issuer: this.#issuer, clientId: this.#clientId, sub, claims: set.claims };
    await this.#store.set(this.#userKey, user);
    return { userChanged, tokens };
  }

  /** Drops the pair and refresh token under `key` (after `invalid_grant`). */
  async drop(key: string): Promise<void> {
    await this.#store.remove(key);
  }

  /**
   * The signed-in user's latest ID token claims, kept until the session ends. The claims must
   * be exactly those of the raw ID token stored with them, and it must be this issuer's token
   * for this client and user; anything else is deleted.
   */
  async user(): Promise<UserEntry | undefined> {
    let entry: unknown;
    try {
      entry = await this.#store.get(this.#userKey);
    } catch {
      return undefined;
    }
    if (entry === undefined) return undefined;
    const u = entry as UserEntry;
    if (this.#checked.get(u) === this.#userKey) return u;
    const raw = u?.claims?.__raw;
    const claims = ownIdToken(raw, this.#issuer, this.#clientId, u?.sub);
    // A non-object (`null`, a string) fails the first test, so `u.v` below is safe.
    const ok =
      claims !== undefined &&
      u.v === 1 &&
      u.issuer === this.#issuer &&
      u.clientId === this.#clientId &&
      typeof u.sub === 'string' &&
      // Saved as `{ ...payload, __raw }`; JSON and structured clone keep that key order.
      JSON.stringify(u.claims) === JSON.stringify({ ...claims, __raw: raw });
    if (!ok && !newerFormat(entry)) await this.#store.remove(this.#userKey);
    if (ok) this.#checked.set(u, this.#userKey);
    return ok ? u : undefined;
  }

  /** Every refresh token this client holds, to revoke them; with `forget`, they are removed from their entries. */
  async refreshTokens(forget = false): Promise<string[]> {
    const prefix = `${KEY_PREFIX}${this.#issuer}::${this.#clientId}::`;
    const keys = this.#store.allKeys ? await this.#store.allKeys() : [...this.#written];
    const tokens = new Set<string>();
    for (const key of keys) {
      if (!key.startsWith(prefix) || key === this.#userKey) continue;
      const entry = await this.#read(key);
      if (!entry?.refresh_token) continue;
      tokens.add(entry.refresh_token);
      // A deliberate write, under the renewal lock (see revokeRefreshToken), not a read's.
      if (forget) {
        const { refresh_token: _revoked, ...kept } = entry;
        await this.#store.set(key, kept);
      }
    }
    return [...tokens];
  }

  /** Removes every entry of this client, or only those of user `sub` when given. */
  async clear(sub?: string): Promise<void> {
    const prefix = `${KEY_PREFIX}${this.#issuer}::${this.#clientId}::`;
    const keys = this.#store.allKeys ? await this.#store.allKeys() : [...this.#written, this.#userKey];
    for (const key of keys) {
      if (!key.startsWith(prefix)) continue;
      if (sub !== undefined) {
        const entry = (await this.#store.get(key)) as { sub?: unknown } | undefined;
        if (entry && typeof entry === 'object' && entry.sub !== sub) continue;
      }
      await this.#store.remove(key);
    }
  }
}
