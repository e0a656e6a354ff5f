import type { BasicPlatform, ChannelLike, StorageLike } from './platform.js';

/**
 * Messages between the tabs of one site. BroadcastChannel where it exists; otherwise a
 * `storage` event, which every other same-origin tab receives when a key changes (the nonce
 * makes two equal messages still a change). A message never reaches the tab that sent it.
 */
export class TabChannel<Message extends object> {
  readonly #platform: BasicPlatform;
  readonly #storage: StorageLike | undefined;
  readonly #window: EventTarget | undefined;
  readonly #key: string;
  readonly #channel: ChannelLike | undefined;
  readonly #onStorage: ((event: Event) => void) | undefined;
  #closed = false;

  constructor(platform: BasicPlatform, name: string, onMessage: (message: Message) => void) {
    this.#platform = platform;
    this.#key = `${name}:message`;
    this.#storage = platform.storage('local');
    this.#window = platform.window();
    const deliver = (data: unknown) => {
      // Another script on the origin may share the name: accept plain objects only.
      if (!this.#closed && typeof data === 'object' && data !== null) onMessage(data as Message);
    };
    let channel: ChannelLike | undefined;
    try {
      channel = platform.broadcastChannel(name);
    } catch {
      channel = undefined;
    }
    this.#channel = channel;
    if (channel) {
      channel.onmessage = (event) => deliver(event.data);
    } else if (this.#window && this.#storage) {
      this.#onStorage = (event) => {
        const { key, newValue } = event as StorageEvent;
        if (key !== this.#key || !newValue) return;
        try {
          deliver((JSON.parse(newValue) as { m?: unknown }).m);
        } catch {
          // Corrupted or foreign entry: not ours.
        }
      };
      this.#window.addEventListener('storage', this.#onStorage);
    }
  }

  /** True when messages can reach other tabs at all. */
  get connected(): boolean {
    return this.#channel !== undefined || this.#onStorage !== undefined;
  }

  post(message: Message): void {
    if (this.#closed) return;
    try {
      if (this.#channel) {
        this.#channel.postMessage(message);
      } else if (this.#onStorage) {
        const nonce = `${this.#platform.now()}.${Math.random().toString(36).slice(2)}`;
        this.#storage?.setItem(this.#key, JSON.stringify({ m: message, n: nonce }));
      }
    } catch {
      // A full or disabled storage, or a closed channel: the other tabs catch up on focus.
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#channel) {
      this.#channel.onmessage = null;
      this.#channel.close();
    }
    if (this.#onStorage) this.#window?.removeEventListener('storage', this.#onStorage);
  }
}
