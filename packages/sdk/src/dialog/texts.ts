/**
 * Every word the dialog shows or announces. Replace any of them (e.g. with your i18n
 * library's output) through the element's `texts` property; functions receive the whole
 * seconds left so plural rules stay in your hands.
 */
export interface SessionDialogTexts {
  /** The dialog's heading. */
  title: string;
  /** The sentence under the heading. */
  description: string;
  /** The visible countdown, e.g. `0:59`. */
  countdown: (secondsLeft: number) => string;
  /** What a screen reader hears at the start and at a few milestones, never every second. */
  announcement: (secondsLeft: number) => string;
  /** The button that keeps the session going. */
  continueLabel: string;
  /** The button that logs out now. */
  logoutLabel: string;
}

const clock = (seconds: number): string => `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;

/** The English texts used for any text not replaced through the element's `texts`. */
export const DEFAULT_TEXTS: SessionDialogTexts = {
  title: 'Your session is about to expire',
  description: 'You have been inactive for a while. For your security you will be signed out unless you continue.',
  countdown: clock,
  announcement: (s) =>
    s >= 120
      ? `Your session will end in ${Math.round(s / 60)} minutes.`
      : `Your session will end in ${s} second${s === 1 ? '' : 's'}.`,
  continueLabel: 'Continue',
  logoutLabel: 'Log out',
};

/** Announce on opening, at every whole minute, and at these seconds left. */
export const ANNOUNCE_AT: readonly number[] = [30, 10];
