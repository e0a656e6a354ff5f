import { useSyncExternalStore } from 'react';

// A few lines of history routing: the demo has four pages and needs no router dependency.
const listeners = new Set<() => void>();
const notify = () => {
  for (const listener of listeners) listener();
};

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener('popstate', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('popstate', listener);
  };
}

export function usePath(): string {
  return useSyncExternalStore(subscribe, () => window.location.pathname);
}

export function navigate(path: string): void {
  window.history.pushState(null, '', path);
  notify();
}

/** Tells the router that the URL was changed by someone else (e.g. the callback's deep link). */
export function locationChanged(): void {
  notify();
}
