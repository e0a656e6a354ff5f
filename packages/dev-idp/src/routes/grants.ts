import type { Store } from '../storage.js';

/** Ends a session and everything issued under it: the grants of every client it signed in to. */
export function endSessionAndGrants(store: Store, sessionUid: string): boolean {
  const entry = store.find('Session', (payload) => payload.uid === sessionUid);
  if (!entry) return false;
  revokeGrantsOf(store, entry.payload.authorizations);
  store.delete('Session', entry.id);
  return true;
}

export function revokeGrantsOf(store: Store, authorizations: Record<string, { grantId?: string }> | undefined): void {
  for (const { grantId } of Object.values(authorizations ?? {})) {
    if (grantId) store.revokeGrant(grantId);
  }
}
