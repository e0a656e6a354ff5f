import { describe, expect, vi } from 'vitest';
import { handleSilentCallback } from '../../src/index.js';
import { securitySuite } from './cases.js';
import { armed, expectCode, ISSUER } from './helpers.js';

const securityCase = securitySuite(import.meta.url, 'unit');

describe('(c) silent authentication channel, at the seam', () => {
  securityCase(
    'C6',
    'login_required, consent_required, interaction_required are typed; never an interactive redirect',
    async () => {
      for (const error of ['login_required', 'consent_required', 'interaction_required', 'account_selection_required']) {
        const w = armed({ checkSessionRedirect: true });
        w.tab.frameAnswer = async (request) =>
          new URLSearchParams({ error, error_description: 'x', state: request.state, iss: ISSUER });
        const e = await expectCode(w.client.getTokenSilently(), error, w.wire);
        expect(e.error).toBe(error);
        // checkSession swallows them; its one redirect check is prompt=none, and only once.
        await w.client.checkSession();
        await w.client.checkSession();
        expect(w.tab.navigations).toHaveLength(1);
        expect(new URL(w.tab.navigations[0] as string).searchParams.get('prompt')).toBe('none');
        expect(w.wire.tokenRequests).toHaveLength(0);
        expect(await w.client.isAuthenticated()).toBe(false);
        expect(w.browser.pendingTimers).toBe(0);
      }
    },
  );

  securityCase(
    'C6',
    'the no-session answer of the one redirect check comes back as no_session, and no second redirect follows',
    async () => {
      const w = armed({ checkSessionRedirect: true });
      w.op.session = false;
      await w.client.checkSession();
      const check = w.tab.navigations[0] as string;
      w.tab.url = w.op.callbackUrl(check);
      expect(await w.client.handleRedirectCallback()).toMatchObject({ sessionCheck: 'no_session' });
      w.tab.url = 'https://app.example/';
      await w.client.checkSession();
      expect(w.tab.navigations).toHaveLength(1);
    },
  );

  securityCase(
    'C3',
    "the silent-callback page posts to its own origin explicitly, never '*', and only to its parent or opener",
    async () => {
      const post = vi.fn();
      const parent = { postMessage: post } as unknown as Window;
      const frame = {
        parent,
        opener: null,
        location: { href: 'https://app.example/silent.html?code=c&state=s&iss=x', origin: 'https://app.example' },
      } as unknown as Window;
      expect(handleSilentCallback(frame)).toBe(true);
      expect(post).toHaveBeenCalledTimes(1);
      expect(post.mock.calls[0]?.[1]).toBe('https://app.example');
      expect(post.mock.calls[0]?.[0]).toEqual({ type: 'authorization_response', response: { code: 'c', state: 's', iss: 'x' } });
      // A top-level page (no parent, no opener) posts nothing.
      const top = { opener: null, location: frame.location } as unknown as Window & { parent: Window };
      top.parent = top;
      expect(handleSilentCallback(top)).toBe(false);
    },
  );
});
