// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runPopup } from '../../src/navigators/popup.js';
import { createPlatform } from '../../src/platform.js';

const OP = 'https://op.example';

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('popup navigator', () => {
  const fakePopup = () => ({ closed: false, close: vi.fn(), location: { href: '' } });

  it('resolves with the response from the popup and closes it', async () => {
    const popup = fakePopup();
    const pending = runPopup({
      url: `${OP}/authorize`,
      messageOrigin: OP,
      state: 's',
      timeoutMs: 5000,
      popup: popup as unknown as Window,
    });
    expect(popup.location.href).toBe(`${OP}/authorize`);
    window.dispatchEvent(
      new MessageEvent('message', {
        origin: OP,
        source: popup as unknown as Window,
        data: { type: 'authorization_response', response: { code: 'c', state: 's' } },
      }),
    );
    expect((await pending).get('code')).toBe('c');
    expect(popup.close).toHaveBeenCalled();
  });

  it('fails with popup_closed when the user closes it, leaving no timer', async () => {
    vi.useFakeTimers();
    const popup = fakePopup();
    const pending = runPopup({
      url: `${OP}/authorize`,
      messageOrigin: OP,
      state: 's',
      timeoutMs: 60_000,
      popup: popup as unknown as Window,
    });
    popup.closed = true;
    vi.advanceTimersByTime(500);
    await expect(pending).rejects.toMatchObject({ code: 'popup_closed' });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('fails with popup_blocked without a window', async () => {
    await expect(runPopup({ url: `${OP}/authorize`, messageOrigin: OP, state: 's', timeoutMs: 1000 })).rejects.toMatchObject({
      code: 'popup_blocked',
    });
  });
});

describe('default platform lock (Web Locks)', () => {
  it('runs the task inside navigator.locks.request with the given name', async () => {
    const names: string[] = [];
    vi.stubGlobal('navigator', {
      locks: {
        request: (name: string, _options: unknown, task: () => Promise<unknown>) => {
          names.push(name);
          return task();
        },
      },
    });
    expect(await createPlatform().lock('sso-spa::x', 1000, async () => 'done')).toBe('done');
    expect(names).toEqual(['sso-spa::x']);
  });

  it('gives up with timeout when another tab holds the lock too long, and releases nothing it did not take', async () => {
    vi.useFakeTimers();
    vi.stubGlobal('navigator', {
      locks: {
        request: (_name: string, options: { signal: AbortSignal }) =>
          new Promise((_resolve, reject) => options.signal.addEventListener('abort', () => reject(options.signal.reason))),
      },
    });
    const task = vi.fn(async () => 'never');
    const pending = createPlatform().lock('sso-spa::x', 1000, task);
    vi.advanceTimersByTime(1000);
    await expect(pending).rejects.toMatchObject({ code: 'timeout' });
    expect(task).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('runs the task directly where there is no Web Locks API', async () => {
    vi.stubGlobal('navigator', {});
    expect(await createPlatform().lock('sso-spa::x', 1000, async () => 'direct')).toBe('direct');
  });
});
