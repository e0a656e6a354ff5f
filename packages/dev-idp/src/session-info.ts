/** A live SSO session as the dev introspection endpoint shows it. Times are epoch seconds. */
export interface DevSession {
  /** A stable identifier of the session (oidc-provider's session `uid`; never the cookie value). */
  id: string;
  accountId: string;
  /** When the user signed in (the start of the absolute cap). */
  loginAt: number;
  /** The last authorization request (interactive or `prompt=none`) that found the session. */
  lastActiveAt: number;
  /**
   * The moment the IdP forgets the session if nothing uses it: `lastActiveAt + idle`, never past
   * `absoluteExpiresAt`. This is the exact expiry the IdP enforces (and the cookie's `Expires`).
   */
  idleExpiresAt: number;
  /** `loginAt + sessionAbsoluteSeconds`. */
  absoluteExpiresAt: number;
}
