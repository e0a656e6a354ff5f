// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { defineSessionDialog } from '../../src/dialog/index.js';
import { createSessionManager } from '../../src/session/index.js';
import { FakeBrowser, FakeIdp, flush } from '../session/fakes.js';

afterEach(() => {
  document.body.innerHTML = '';
});

describe('<sso-session-dialog> bound to a real session manager', () => {
  it('opens with the warning, counts down, and Continue renews through the provider and closes it', async () => {
    const browser = new FakeBrowser();
    const idp = new FakeIdp(browser.clock);
    const client = idp.client();
    const session = createSessionManager(client, {
      probeProvider: false,
      deadlineMarginSeconds: 0,
      platform: browser.tab().platform,
    });
    defineSessionDialog();
    const dialog = document.createElement('sso-session-dialog');
    dialog.manager = session;
    document.body.append(dialog);
    const root = dialog.shadowRoot!;
    const shown = () => !root.querySelector('.backdrop')!.hasAttribute('hidden');

    client.tokens('redirect');
    await browser.clock.advance(240_000);
    expect(shown()).toBe(true);
    expect(root.querySelector('.countdown')!.textContent).toBe('1:00');
    await browser.clock.advance(15_000);
    expect(root.querySelector('.countdown')!.textContent).toBe('0:45');

    root.querySelector<HTMLButtonElement>('.continue')!.click();
    await flush();
    expect(client.calls).toEqual([{ renewVia: 'provider', at: browser.clock.now }]);
    expect(shown()).toBe(false);
    session.destroy();
  });
});
