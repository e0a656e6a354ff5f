import { useCallback, useSyncExternalStore } from 'react';

/** Anything with the headless session API of `sso-spa/session`. */
export interface SessionSource<Snapshot> {
  /** Calls `listener` after every change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
  /** The current state; the same object until something changes. */
  getSnapshot(): Snapshot;
}

/**
 * The session-management state (`active`, `warning` with seconds left, `expired` with its
 * reason, deadlines, renewal strategy, events) as React state.
 */
export function useSessionState<Snapshot>(manager: SessionSource<Snapshot>): Snapshot {
  const subscribe = useCallback((onChange: () => void) => manager.subscribe(onChange), [manager]);
  const getSnapshot = useCallback(() => manager.getSnapshot(), [manager]);
  return useSyncExternalStore(subscribe, getSnapshot, getSnapshot);
}
