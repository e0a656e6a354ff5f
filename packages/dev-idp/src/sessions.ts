import type { DevSession } from './session-info.js';
import type { Store } from './storage.js';

export type { DevSession } from './session-info.js';

const epoch = (): number => Math.floor(Date.now() / 1000);

/**
 * The SSO session clock: a sliding idle timeout capped by an absolute deadline since login.
 * oidc-provider calls `ttl.Session` each time a session passes its session middleware (the
 * authorization endpoint, the post-login resume, end-session) and saves the session with the
 * returned lifetime, which is what makes the idle timeout slide.
 */
export class SessionClock {
  readonly #idle: number;
  readonly #absolute: number;
  readonly #store: Store;

  constructor(store: Store, idleSeconds: number, absoluteSeconds: number) {
    this.#store = store;
    this.#idle = idleSeconds;
    this.#absolute = absoluteSeconds;
  }

  /** `ttl.Session`: seconds until the session expires if it is not used again. */
  ttl(session: { jti: string; loginTs?: number | undefined }): number {
    const now = epoch();
    const deadline = (session.loginTs ?? now) + this.#absolute;
    this.#store.noteSessionActivity(session.jti, now);
    // The store drops a session at its exact `exp`, so a session found here has at least one
    // second left before its absolute deadline; the floor of 1 only guards a clock step back.
    return Math.max(1, Math.min(this.#idle, deadline - now));
  }

  /** Seconds from now to the absolute deadline of a session that signed in at `loginTs`. */
  remainingAbsolute(loginTs: number | undefined): number {
    const now = epoch();
    return Math.max(1, (loginTs ?? now) + this.#absolute - now);
  }

  list(): DevSession[] {
    const sessions: DevSession[] = [];
    for (const entry of this.#store.list('Session')) {
      const { accountId, loginTs, exp, uid } = entry.payload;
      if (typeof accountId !== 'string' || typeof loginTs !== 'number' || typeof exp !== 'number' || typeof uid !== 'string')
        continue;
      sessions.push({
        // The session's uid, not its storage id: the storage id is the session cookie's value.
        id: uid,
        accountId,
        loginAt: loginTs,
        lastActiveAt: entry.lastActiveAt ?? loginTs,
        idleExpiresAt: exp,
        absoluteExpiresAt: loginTs + this.#absolute,
      });
    }
    return sessions.sort((a, b) => a.loginAt - b.loginAt);
  }
}
