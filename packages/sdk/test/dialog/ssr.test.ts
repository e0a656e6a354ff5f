import { describe, expect, it } from 'vitest';

describe('sso-spa/dialog without a DOM (SSR)', () => {
  it('imports without touching browser globals', async () => {
    expect(typeof (globalThis as { HTMLElement?: unknown }).HTMLElement).toBe('undefined');
    const dialog = await import('../../src/dialog/index.js');
    expect(typeof dialog.defineSessionDialog).toBe('function');
    const session = await import('../../src/session/index.js');
    expect(typeof session.createSessionManager).toBe('function');
  });
});
