// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_TEXTS, type DialogSessionSource, defineSessionDialog, type SessionDialogTexts } from '../../src/dialog/index.js';

class FakeSession implements DialogSessionSource {
  snapshot: { status: string; secondsLeft: number | undefined } = { status: 'active', secondsLeft: undefined };
  readonly listeners = new Set<() => void>();
  continueSession = vi.fn(async () => this.set('active'));
  logout = vi.fn(async (_options?: unknown) => this.set('signed_out'));

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  getSnapshot() {
    return this.snapshot;
  }

  set(status: string, secondsLeft?: number): void {
    this.snapshot = { status, secondsLeft };
    for (const listener of this.listeners) listener();
  }
}

function mount(texts?: Partial<SessionDialogTexts>) {
  defineSessionDialog();
  const session = new FakeSession();
  const before = document.createElement('button');
  before.textContent = 'page button';
  document.body.append(before);
  before.focus();
  const dialog = document.createElement('sso-session-dialog');
  dialog.manager = session;
  if (texts) dialog.texts = texts;
  document.body.append(dialog);
  const root = dialog.shadowRoot!;
  const q = <T extends Element = HTMLElement>(selector: string) => root.querySelector(selector) as T;
  return { session, dialog, root, q, before };
}

afterEach(() => {
  document.body.innerHTML = '';
});

const shown = (q: ReturnType<typeof mount>['q']) => !q('.backdrop').hasAttribute('hidden');

describe('<sso-session-dialog>', () => {
  it('registers nothing on import and once on define', () => {
    expect(customElements.get('sso-session-dialog')).toBeUndefined();
    const first = defineSessionDialog();
    expect(customElements.get('sso-session-dialog')).toBe(first);
    expect(defineSessionDialog()).toBe(first);
  });

  it('stays hidden until the session warns, then opens as a labelled alertdialog with focus on Continue', () => {
    const { session, root, q } = mount();
    expect(shown(q)).toBe(false);
    session.set('warning', 60);
    expect(shown(q)).toBe(true);
    const dialog = q('[role="alertdialog"]');
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(root.getElementById(dialog.getAttribute('aria-labelledby')!)?.textContent).toBe(DEFAULT_TEXTS.title);
    expect(root.getElementById(dialog.getAttribute('aria-describedby')!)?.textContent).toBe(DEFAULT_TEXTS.description);
    expect(root.activeElement).toBe(q('.continue'));
    expect(q('.countdown').textContent).toBe('1:00');
  });

  it('counts down every second but announces politely only at milestones', () => {
    const { session, q } = mount();
    const live = q('[aria-live]');
    expect(live.getAttribute('aria-live')).toBe('polite');
    const announced: string[] = [];
    for (let left = 75; left >= 1; left--) {
      session.set('warning', left);
      if (announced.at(-1) !== live.textContent) announced.push(live.textContent ?? '');
    }
    expect(q('.countdown').textContent).toBe('0:01');
    expect(announced).toEqual([
      'Your session will end in 75 seconds.',
      'Your session will end in 60 seconds.',
      'Your session will end in 30 seconds.',
      'Your session will end in 10 seconds.',
    ]);
  });

  it('Continue and Escape continue the session; Log out logs out', async () => {
    const { session, dialog, q } = mount();
    session.set('warning', 30);
    q<HTMLButtonElement>('.continue').click();
    await vi.waitFor(() => expect(shown(q)).toBe(false));
    expect(session.continueSession).toHaveBeenCalledTimes(1);
    session.set('warning', 20);
    q('.dialog').dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    await vi.waitFor(() => expect(session.continueSession).toHaveBeenCalledTimes(2));
    session.set('warning', 10);
    dialog.logoutOptions = { logoutParams: { returnTo: 'https://app.example/' } };
    q<HTMLButtonElement>('.logout').click();
    await vi.waitFor(() => expect(session.logout).toHaveBeenCalledWith({ logoutParams: { returnTo: 'https://app.example/' } }));
  });

  it('traps Tab and Shift+Tab between its buttons and pulls stray focus back', () => {
    const { session, root, q, before } = mount();
    session.set('warning', 30);
    const tab = (shiftKey = false) =>
      root.activeElement!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Tab', shiftKey, bubbles: true, cancelable: true }));
    tab();
    expect(root.activeElement).toBe(q('.logout'));
    tab();
    expect(root.activeElement).toBe(q('.continue'));
    tab(true);
    expect(root.activeElement).toBe(q('.logout'));
    before.focus();
    expect(root.activeElement).toBe(q('.continue'));
  });

  it('gives focus back to the page when the warning ends', () => {
    const { session, before } = mount();
    session.set('warning', 30);
    expect(document.activeElement).not.toBe(before);
    session.set('active');
    expect(document.activeElement).toBe(before);
  });

  it('takes replacement texts', () => {
    const { session, q } = mount({
      title: 'Ihre Sitzung läuft ab',
      continueLabel: 'Weiter',
      logoutLabel: 'Abmelden',
      announcement: (s: number) => `Noch ${s} Sekunden.`,
    });
    session.set('warning', 45);
    expect(q('h2').textContent).toBe('Ihre Sitzung läuft ab');
    expect(q('.continue').textContent).toBe('Weiter');
    expect(q('.logout').textContent).toBe('Abmelden');
    expect(q('[aria-live]').textContent).toBe('Noch 45 Sekunden.');
    expect(q('p').textContent).toBe(DEFAULT_TEXTS.description);
  });

  it('keeps its styles in the shadow root and resets inherited ones', () => {
    const { root } = mount();
    expect(document.querySelectorAll('style')).toHaveLength(0);
    expect(root.querySelector('style')?.textContent).toContain(':host { all: initial; }');
  });

  it('unsubscribes when removed from the document', () => {
    const { session, dialog } = mount();
    expect(session.listeners.size).toBe(1);
    dialog.remove();
    expect(session.listeners.size).toBe(0);
  });
});
