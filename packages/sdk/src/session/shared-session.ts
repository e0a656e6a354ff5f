import type { BasicPlatform } from '../platform.js';
import { TabChannel } from '../tab-channel.js';
import { isOneOf, SIGNED_OUT_REASONS } from '../vocabulary.js';
import { merge, readShared, type SharedState, sanitize, writeShared } from './shared-state.js';
import type { SessionEndReason } from './types.js';

const END_REASONS = [...SIGNED_OUT_REASONS.filter((reason) => reason !== 'logout'), 'absolute'] as readonly SessionEndReason[];

type TabMessage = { type: 'state'; state: SharedState } | { type: 'ended'; reason: SessionEndReason };

/**
 * The session state every tab of the site shares: kept in localStorage (a new tab starts from
 * it) and broadcast to the open tabs, which merge it (later instants win). Also carries the
 * news that the session ended here.
 */
export class SharedSession {
  readonly #platform: BasicPlatform;
  readonly #key: string;
  readonly #channel: TabChannel<TabMessage>;
  #state: SharedState;
  #closed = false;

  constructor(
    platform: BasicPlatform,
    storageKey: string,
    onMerged: (previous: SharedState) => void,
    onEnded: (reason: SessionEndReason) => void,
  ) {
    this.#platform = platform;
    this.#key = `${storageKey}:state`;
    this.#state = readShared(platform.storage('local'), this.#key);
    this.#channel = new TabChannel<TabMessage>(platform, storageKey, (message) => {
      if (message.type === 'state') {
        const previous = this.#state;
        this.#state = merge(this.#state, sanitize(message.state));
        if (previous !== this.#state) onMerged(previous);
      } else if (message.type === 'ended' && isOneOf(END_REASONS, message.reason)) {
        onEnded(message.reason);
      }
    });
  }

  get state(): SharedState {
    return this.#state;
  }

  /** True when the other tabs hear from this one (a channel or the storage fallback). */
  get connected(): boolean {
    return this.#channel.connected;
  }

  /** Merges `patch` into the shared state, stores it and tells the other tabs. */
  share(patch: SharedState): void {
    if (this.#closed) return;
    const next = merge(this.#state, { ...patch, strategyAt: patch.strategy ? patch.strategyAt : undefined });
    if (next === this.#state) return;
    this.#state = next;
    writeShared(this.#platform.storage('local'), this.#key, next);
    this.#channel.post({ type: 'state', state: next });
  }

  /** Instants of an ended session must not leak into the next one; the strategy verdict is about this browser and stays. */
  forgetSession(): void {
    const { providerRoundTripAt, loginAt, strategy, providerReachable, strategyAt } = this.#state;
    if (providerRoundTripAt === undefined && loginAt === undefined) return;
    this.#state = { strategy, providerReachable, strategyAt };
    writeShared(this.#platform.storage('local'), this.#key, this.#state);
  }

  announceEnd(reason: SessionEndReason): void {
    this.#channel.post({ type: 'ended', reason });
  }

  close(): void {
    this.#closed = true;
    this.#channel.close();
  }
}
