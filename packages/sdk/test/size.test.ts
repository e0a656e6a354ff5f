import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { expect, it } from 'vitest';

it('keeps the typical-usage bundle within 12 kB min+gzip', async () => {
  const result = await build({
    entryPoints: [new URL('./fixtures/typical-usage.ts', import.meta.url).pathname],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'error',
  });
  const bytes = result.outputFiles[0]?.contents as Uint8Array;
  expect(gzipSync(bytes, { level: 9 }).length).toBeLessThanOrEqual(12_000);
});
