/** A minimal synchronous event emitter; a throwing listener never stops the others. */
export class Emitter<E> {
  readonly #listeners = new Set<(event: E) => void>();

  subscribe(listener: (event: E) => void): () => void {
    // Wrapped so that subscribing the same function twice gives two independent subscriptions.
    const entry = (event: E) => listener(event);
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  /** Removes every listener. */
  clear(): void {
    this.#listeners.clear();
  }

  emit(event: E): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (error) {
        // Report without breaking the SDK's own flow.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
