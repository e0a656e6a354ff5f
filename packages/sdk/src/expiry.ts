import type { SsoClientEvent } from './types.js';

/** What {@link watchTokenExpiry} tells: the pair of the latest tokens is about to expire, or has. */
export interface TokenExpiryEvent {
  /** `expiring`: within the warning time before expiry; `expired`: the expiry has passed. */
  type: 'expiring' | 'expired';
  /** When the pair stops being served (the earlier of the ID and access token expiries), epoch ms. */
  expiresAt: number;
}

/** Options of {@link watchTokenExpiry}. */
export interface TokenExpiryOptions {
  /** How long before expiry `expiring` fires, in seconds (default 60, as oidc-client-ts). */
  expiringSeconds?: number;
  /** The clock and timers; the browser's by default (tests replace them). */
  now?: () => number;
  /** Schedules `callback` after `ms` milliseconds; returns a handle for `clearTimeout`. */
  setTimeout?: (callback: () => void, ms: number) => unknown;
  /** Cancels a callback scheduled with `setTimeout`. */
  clearTimeout?: (handle: unknown) => void;
}

/**
 * Calls `listener` with `expiring` shortly before the latest tokens expire and `expired` when
 * they do (oidc-client-ts `accessTokenExpiring` / `accessTokenExpired`), re-armed by every new
 * token and disarmed at sign-out, in this tab and from the others. Apps that let the session
 * manager renew for them do not need it; it is for apps that renew or warn themselves. Costs
 * nothing unless used: it lives outside the client. Returns the function that stops watching.
 */
export function watchTokenExpiry(
  client: { subscribe(listener: (event: SsoClientEvent) => void): () => void },
  listener: (event: TokenExpiryEvent) => void,
  options: TokenExpiryOptions = {},
): () => void {
  const now = options.now ?? (() => Date.now());
  const arm = options.setTimeout ?? ((callback, ms) => setTimeout(callback, ms));
  const disarm = options.clearTimeout ?? ((handle) => clearTimeout(handle as ReturnType<typeof setTimeout>));
  const before = (options.expiringSeconds ?? 60) * 1000;
  let timers: unknown[] = [];
  const clear = () => {
    for (const timer of timers) disarm(timer);
    timers = [];
  };
  const unsubscribe = client.subscribe((event) => {
    if (event.type === 'signed_out') clear();
    if (event.type !== 'tokens') return;
    clear();
    const expiresAt = Math.min(event.idTokenExpiresAt, event.accessTokenExpiresAt);
    const at = now();
    timers = [
      arm(() => listener({ type: 'expiring', expiresAt }), Math.max(0, expiresAt - before - at)),
      arm(() => listener({ type: 'expired', expiresAt }), Math.max(0, expiresAt - at)),
    ];
  });
  return () => {
    unsubscribe();
    clear();
  };
}
