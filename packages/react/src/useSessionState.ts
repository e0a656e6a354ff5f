import { useCallback, useSyncExternalStore } from 'react';

/** Anything with the headless session API of `sso-spa/session`. */
export interface SessionSource<Snapshot> {
  subscribe(listener: () => void): () => void;
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
