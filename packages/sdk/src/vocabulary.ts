/**
 * The words the client and the session layer share, each an `as const` list from which its
 * union type is derived: a value received from another tab (or another bundle of the SDK) is
 * checked against the same list the type comes from, so the two cannot drift apart.
 */

/** Why an app session ended. */
export const SIGNED_OUT_REASONS = [
  'logout',
  'login_required',
  'user_changed',
  'invalid_grant',
  'idle',
  'ended_elsewhere',
] as const;
/** Why an app session ended. */
export type SignedOutReason = (typeof SIGNED_OUT_REASONS)[number];

/** Where tokens came from. */
export const TOKEN_SOURCES = ['redirect', 'popup', 'iframe', 'silent_redirect', 'refresh_token'] as const;
/** Where tokens came from. */
export type TokenSource = (typeof TOKEN_SOURCES)[number];

/** What a session check found; `redirecting` while a top-level check is on its way to the provider. */
export type SessionCheckStatus = 'signed_in' | 'signed_out' | 'failed' | 'redirecting';

/** Whether `value` is one of `list`'s words: for values that crossed a tab or a bundle. */
export function isOneOf<T extends string>(list: readonly T[], value: unknown): value is T {
  return (list as readonly unknown[]).includes(value);
}
