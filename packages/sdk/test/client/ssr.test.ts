import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

describe('server-side rendering', () => {
  it('imports and constructs the client without touching a browser global', async () => {
    const result = await build({
      entryPoints: [new URL('../../src/index.ts', import.meta.url).pathname],
      bundle: true,
      format: 'iife',
      globalName: 'SsoSpa',
      platform: 'neutral',
      write: false,
      logLevel: 'silent',
    });
    const code = result.outputFiles[0]?.text as string;
    const touched: string[] = [];
    // Runtime-neutral globals every server runtime has.
    const context: Record<string, unknown> = { TextEncoder, TextDecoder, URL };
    for (const name of [
      'window',
      'document',
      'location',
      'history',
      'localStorage',
      'sessionStorage',
      'fetch',
      'BroadcastChannel',
      'crypto',
      'addEventListener',
      'open',
    ]) {
      Object.defineProperty(context, name, {
        get() {
          touched.push(name);
          throw new Error(`${name} touched`);
        },
      });
    }
    runInNewContext(`${code}; new SsoSpa.SsoClient({ issuer: 'https://op.example/', clientId: 'x' });`, context);
    expect(touched).toEqual([]);
    expect(Object.keys(context.SsoSpa as object)).toContain('createSsoClient');
  });
});
