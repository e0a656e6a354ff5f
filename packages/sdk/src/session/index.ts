/**
 * `sso-spa/session`: keeps an active user's SSO session sliding, warns an idle user before it
 * ends, and ends the app session in every tab when it has ended. Headless: bind any UI to
 * `subscribe()`/`getSnapshot()`, or use the `<sso-session-dialog>` from `sso-spa/dialog`.
 * @module sso-spa/session
 */

export { SIGNED_OUT_REASONS } from '../vocabulary.js';
export { createSessionManager } from './manager.js';
export type { SessionManagerOptions } from './options.js';
export type {
  RenewalStrategy,
  SessionClient,
  SessionClientEvent,
  SessionEndReason,
  SessionEvent,
  SessionManager,
  SessionSnapshot,
  SessionStatus,
  SignedOutReason,
} from './types.js';
