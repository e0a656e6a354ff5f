// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { handleSilentCallback } from '../../src/index.js';
import { runIframe } from '../../src/navigators/iframe.js';

const OP = 'https://op.example';
// about:blank keeps happy-dom from trying to load the provider page; the origin check is on messages.
const request = { url: 'about:blank', messageOrigin: OP, state: 's-1', timeoutMs: 5000 };
const reply = (data: unknown, origin = OP, source?: unknown) => {
  const frame = document.querySelector('iframe');
  window.dispatchEvent(new MessageEvent('message', { data, origin, source: (source ?? frame?.contentWindow) as Window }));
};
const ok = { type: 'authorization_response', response: { code: 'c', state: 's-1', iss: `${OP}/` } };

// happy-dom refuses (and logs) every iframe load unless told otherwise; about:blank needs no network.
const settings = (window as unknown as { happyDOM?: { settings: Record<string, unknown> } }).happyDOM?.settings;
if (settings) {
  settings.enableIframePageLoading = true;
  settings.disableIframePageLoading = false;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('hidden iframe navigator', () => {
  it('resolves with the response from our iframe and the provider origin, then removes the iframe and the listener', async () => {
    const added = vi.spyOn(window, 'addEventListener');
    const removed = vi.spyOn(window, 'removeEventListener');
    const pending = runIframe(request);
    const frame = document.querySelector('iframe');
    expect(frame?.getAttribute('src')).toBe(request.url);
    expect(frame?.style.display).toBe('none');
    reply(ok);
    const params = await pending;
    expect(params.get('code')).toBe('c');
    expect(document.querySelectorAll('iframe')).toHaveLength(0);
    const listener = added.mock.calls.find(([type]) => type === 'message')?.[1];
    expect(removed.mock.calls.some(([type, fn]) => type === 'message' && fn === listener)).toBe(true);
    added.mockRestore();
    removed.mockRestore();
  });

  it('ignores forged origins, foreign windows and malformed data, then times out and cleans up (C1, C4)', async () => {
    vi.useFakeTimers();
    const pending = runIframe(request);
    const settled = vi.fn();
    pending.then(settled, settled);
    reply(ok, 'https://evil.example');
    reply(ok, `${OP}:443`);
    reply(ok, OP, window);
    for (const data of [null, 'code=c', 42, { type: 'authorization_response' }, { response: { state: 's-1' } }]) reply(data);
    await Promise.resolve();
    expect(settled).not.toHaveBeenCalled();
    vi.advanceTimersByTime(5000);
    await expect(pending).rejects.toMatchObject({
      code: 'timeout',
      message: expect.stringMatching(/frame (loaded|never loaded)/),
    });
    expect(document.querySelectorAll('iframe')).toHaveLength(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('fails with state_mismatch on our window with another state (C2)', async () => {
    const pending = runIframe(request);
    reply({ type: 'authorization_response', response: { code: 'c', state: 'other' } });
    await expect(pending).rejects.toMatchObject({ code: 'state_mismatch' });
    expect(document.querySelectorAll('iframe')).toHaveLength(0);
  });

  it('leaves nothing behind after 100 failed renewals (C5)', async () => {
    const added = vi.spyOn(window, 'addEventListener');
    const removed = vi.spyOn(window, 'removeEventListener');
    for (let i = 0; i < 100; i++) {
      const pending = runIframe(request);
      reply({ type: 'authorization_response', response: { error: 'login_required', state: 's-1' } });
      expect((await pending).get('error')).toBe('login_required');
    }
    expect(document.querySelectorAll('iframe')).toHaveLength(0);
    const adds = added.mock.calls.filter(([type]) => type === 'message').length;
    const removes = removed.mock.calls.filter(([type]) => type === 'message').length;
    expect(adds).toBe(100);
    expect(removes).toBe(100);
    added.mockRestore();
    removed.mockRestore();
  });
});

describe('handleSilentCallback', () => {
  it('posts the response to the parent with its own origin as the target, never *', () => {
    const posted: [unknown, string][] = [];
    const parent = { postMessage: (data: unknown, origin: string) => posted.push([data, origin]) };
    const win = {
      parent,
      opener: null,
      location: { href: 'https://app.example/silent.html?code=c&state=s&iss=x', origin: 'https://app.example' },
    } as unknown as Window;
    expect(handleSilentCallback(win)).toBe(true);
    expect(posted).toEqual([
      [{ type: 'authorization_response', response: { code: 'c', state: 's', iss: 'x' } }, 'https://app.example'],
    ]);
  });

  it('does nothing outside a frame or without a response', () => {
    const self = {
      location: { href: 'https://app.example/silent.html?code=c&state=s', origin: 'https://app.example' },
      opener: null,
    } as {
      parent?: unknown;
    };
    self.parent = self;
    expect(handleSilentCallback(self as unknown as Window)).toBe(false);
    const framed = {
      parent: { postMessage: vi.fn() },
      location: { href: 'https://app.example/silent.html', origin: 'https://app.example' },
    };
    expect(handleSilentCallback(framed as unknown as Window)).toBe(false);
  });
});
