/**
 * `sso-spa/dialog`: a drop-in, accessible warning dialog for the session manager of
 * `sso-spa/session`, as a custom element. Importing it registers nothing; call
 * {@link defineSessionDialog} once in the browser.
 *
 * @example
 * ```ts
 * defineSessionDialog();
 * const dialog = document.createElement('sso-session-dialog');
 * dialog.manager = session;
 * dialog.texts = { continueLabel: 'Weiter', logoutLabel: 'Abmelden' };
 * document.body.append(dialog);
 * ```
 * @module sso-spa/dialog
 */
import { createSessionDialogClass, type SessionDialogElement } from './element.js';

export type { DialogSessionSource, SessionDialogElement } from './element.js';
export { DEFAULT_TEXTS, type SessionDialogTexts } from './texts.js';

/**
 * Registers the element under `tagName` (default `sso-session-dialog`) and returns its class.
 * Calling it again returns the registered class.
 */
export function defineSessionDialog(tagName = 'sso-session-dialog'): { new (): SessionDialogElement } {
  const existing = customElements.get(tagName) as { new (): SessionDialogElement } | undefined;
  if (existing) return existing;
  const element = createSessionDialogClass();
  customElements.define(tagName, element);
  return element;
}

declare global {
  interface HTMLElementTagNameMap {
    'sso-session-dialog': SessionDialogElement;
  }
}
