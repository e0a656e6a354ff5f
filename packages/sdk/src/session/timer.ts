import type { Platform } from '../platform.js';

/** The clock and timers of the {@link Platform}. */
type Clock = Pick<Platform, 'now' | 'setTimeout' | 'clearTimeout'>;

/**
 * The longest delay `setTimeout` honours: browsers store it in a signed 32-bit integer and
 * fire at once for anything larger, so a 100-day idle timeout would expire immediately.
 */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * One timer aimed at an absolute instant (epoch ms) rather than a duration. Browsers throttle
 * background timers and a sleeping device does not count time, so the callback must never
 * assume that the instant has come: it is called when the timer fires *or* early (on a long
 * chain link), and the caller compares the clock with its deadlines and re-arms.
 */
export class DeadlineTimer {
  readonly #platform: Clock;
  readonly #onDue: () => void;
  #handle: unknown;
  #at: number | undefined;

  constructor(platform: Clock, onDue: () => void) {
    this.#platform = platform;
    this.#onDue = onDue;
  }

  /** Aims the timer at `at`, replacing any earlier aim; `undefined` disarms it. */
  arm(at: number | undefined): void {
    this.disarm();
    if (at === undefined || !Number.isFinite(at)) return;
    this.#at = at;
    this.#link();
  }

  disarm(): void {
    if (this.#handle !== undefined) this.#platform.clearTimeout(this.#handle);
    this.#handle = undefined;
    this.#at = undefined;
  }

  #link(): void {
    const at = this.#at;
    if (at === undefined) return;
    const delay = Math.min(Math.max(at - this.#platform.now(), 0), MAX_TIMEOUT_MS);
    this.#handle = this.#platform.setTimeout(() => {
      this.#handle = undefined;
      // A link of a long chain: not due yet, wait again for what remains.
      if (this.#platform.now() < at && delay === MAX_TIMEOUT_MS) {
        this.#link();
        return;
      }
      this.#at = undefined;
      this.#onDue();
    }, delay);
  }
}
