import { STYLES } from './styles.js';
import { ANNOUNCE_AT, DEFAULT_TEXTS, type SessionDialogTexts } from './texts.js';

/** The part of the session manager (`sso-spa/session`) the dialog uses. */
export interface DialogSessionSource {
  /** Calls `listener` after every state change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
  /** The current state. */
  getSnapshot(): {
    /** The dialog is open while this is `warning`. */
    readonly status: string;
    /** The countdown's whole seconds, in `warning`. */
    readonly secondsLeft: number | undefined;
  };
  /** What the "Continue" button calls. */
  continueSession(): Promise<void>;
  /** What the "Log out" button calls, with the element's `logoutOptions`. */
  logout(options?: { logoutParams?: { returnTo?: string; [key: string]: unknown } }): Promise<void>;
}

/** `<sso-session-dialog>`: shown while the session is in `warning`, hidden otherwise. */
export interface SessionDialogElement extends HTMLElement {
  /** The session manager to show; the element subscribes while it is in the document. */
  manager: DialogSessionSource | undefined;
  /** Replaces some or all texts (localisation). */
  texts: Partial<SessionDialogTexts>;
  /** Passed to `logout()` by the "Log out" button, e.g. `{ logoutParams: { returnTo: location.origin } }`. */
  logoutOptions:
    | {
        /** Parameters of the end-session request. */
        logoutParams?: {
          /** Where the provider sends the browser after logout; must be registered. */
          returnTo?: string;
          [key: string]: unknown;
        };
      }
    | undefined;
}

let ids = 0;

/**
 * Builds the element class on demand: `HTMLElement` is only touched here, so importing
 * `sso-spa/dialog` on a server (SSR) or in a worker neither fails nor registers anything.
 */
export function createSessionDialogClass(): { new (): SessionDialogElement } {
  return class SessionDialog extends HTMLElement implements SessionDialogElement {
    #manager: DialogSessionSource | undefined;
    logoutOptions: SessionDialogElement['logoutOptions'];
    #texts: SessionDialogTexts = DEFAULT_TEXTS;
    #unsubscribe: (() => void) | undefined;
    readonly #root: ShadowRoot;
    readonly #backdrop: HTMLElement;
    readonly #dialog: HTMLElement;
    readonly #title: HTMLElement;
    readonly #description: HTMLElement;
    readonly #countdown: HTMLElement;
    readonly #live: HTMLElement;
    readonly #continue: HTMLButtonElement;
    readonly #logout: HTMLButtonElement;
    #open = false;
    #busy = false;
    #lastAnnounced: number | undefined;
    #returnFocusTo: Element | null = null;

    constructor() {
      super();
      this.#root = this.attachShadow({ mode: 'open' });
      const id = `sso-session-dialog-${++ids}`;
      this.#root.innerHTML = `<style>${STYLES}</style>
<div class="backdrop" part="backdrop" hidden>
  <div class="dialog" part="dialog" role="alertdialog" aria-modal="true" aria-labelledby="${id}-title" aria-describedby="${id}-description">
    <h2 id="${id}-title" part="title"></h2>
    <p id="${id}-description" part="description"></p>
    <p class="countdown" part="countdown" aria-hidden="true"></p>
    <p class="sr-only" aria-live="polite" aria-atomic="true"></p>
    <div class="actions" part="actions">
      <button type="button" class="logout" part="button logout"></button>
      <button type="button" class="continue" part="button continue"></button>
    </div>
  </div>
</div>`;
      const $ = <T extends HTMLElement>(selector: string) => this.#root.querySelector(selector) as T;
      this.#backdrop = $('.backdrop');
      this.#dialog = $('.dialog');
      this.#title = $('h2');
      this.#description = $(`#${id}-description`);
      this.#countdown = $('.countdown');
      this.#live = $('[aria-live]');
      this.#continue = $<HTMLButtonElement>('.continue');
      this.#logout = $<HTMLButtonElement>('.logout');
      this.#continue.addEventListener('click', () => this.#act('continue'));
      this.#logout.addEventListener('click', () => this.#act('logout'));
      this.#dialog.addEventListener('keydown', (event) => this.#onKeydown(event));
      this.#renderTexts();
    }

    get manager(): DialogSessionSource | undefined {
      return this.#manager;
    }

    set manager(manager: DialogSessionSource | undefined) {
      this.#manager = manager;
      if (this.isConnected) this.#connect();
    }

    get texts(): Partial<SessionDialogTexts> {
      return this.#texts;
    }

    set texts(texts: Partial<SessionDialogTexts>) {
      this.#texts = { ...DEFAULT_TEXTS, ...texts };
      this.#renderTexts();
      this.#render();
    }

    connectedCallback(): void {
      this.#connect();
    }

    disconnectedCallback(): void {
      this.#unsubscribe?.();
      this.#unsubscribe = undefined;
      this.#setOpen(false);
    }

    #connect(): void {
      this.#unsubscribe?.();
      this.#unsubscribe = this.#manager?.subscribe(() => this.#render());
      this.#render();
    }

    #renderTexts(): void {
      this.#title.textContent = this.#texts.title;
      this.#description.textContent = this.#texts.description;
      this.#continue.textContent = this.#texts.continueLabel;
      this.#logout.textContent = this.#texts.logoutLabel;
    }

    #render(): void {
      const snapshot = this.#manager?.getSnapshot();
      const warning = snapshot?.status === 'warning' && snapshot.secondsLeft !== undefined;
      this.#setOpen(warning && this.isConnected);
      if (!warning) {
        this.#lastAnnounced = undefined;
        return;
      }
      const left = snapshot.secondsLeft!;
      this.#countdown.textContent = this.#texts.countdown(left);
      // A polite announcement at the start and at milestones: a screen reader user hears the
      // news without a number every second drowning everything else.
      if (
        this.#lastAnnounced === undefined ||
        (left !== this.#lastAnnounced && (left % 60 === 0 || ANNOUNCE_AT.includes(left)))
      ) {
        this.#lastAnnounced = left;
        this.#live.textContent = this.#texts.announcement(left);
      }
    }

    #setOpen(open: boolean): void {
      if (open === this.#open) return;
      this.#open = open;
      this.#backdrop.hidden = !open;
      const doc = this.ownerDocument;
      if (open) {
        this.#busy = false;
        this.#continue.disabled = this.#logout.disabled = false;
        this.#returnFocusTo = doc.activeElement;
        doc.addEventListener('focusin', this.#keepFocus, true);
        this.#continue.focus();
      } else {
        doc.removeEventListener('focusin', this.#keepFocus, true);
        this.#live.textContent = '';
        // Give focus back where it was, unless the page has moved it meanwhile.
        const back = this.#returnFocusTo as HTMLElement | null;
        this.#returnFocusTo = null;
        if (back?.isConnected && typeof back.focus === 'function' && (!doc.activeElement || doc.activeElement === this))
          back.focus();
      }
    }

    /** Focus that escapes the modal dialog (a click on the page, assistive tech) is brought back. */
    readonly #keepFocus = (event: Event): void => {
      const target = event.target as Node | null;
      const inside = target === this || (target !== null && this.#root.contains(target)) || event.composedPath().includes(this);
      if (this.#open && !inside) this.#continue.focus();
    };

    #onKeydown(event: KeyboardEvent): void {
      if (event.key === 'Escape') {
        event.preventDefault();
        this.#act('continue');
      } else if (event.key === 'Tab') {
        // Two buttons: Tab and Shift+Tab move between them and never leave the dialog.
        event.preventDefault();
        (this.#root.activeElement === this.#continue ? this.#logout : this.#continue).focus();
      }
    }

    #act(action: 'continue' | 'logout'): void {
      const manager = this.#manager;
      if (!manager || this.#busy) return;
      this.#busy = true;
      this.#continue.disabled = this.#logout.disabled = true;
      const done = () => {
        this.#busy = false;
        this.#continue.disabled = this.#logout.disabled = false;
        this.#render();
      };
      // Failures surface in the manager's state (still `warning`, or `expired`), which the
      // dialog renders; the buttons become usable again for another try.
      (action === 'continue' ? manager.continueSession() : manager.logout(this.logoutOptions)).then(done, done);
    }
  };
}
