// Prints the min+gzip size of the typical-usage bundle (test/fixtures/typical-usage.ts), built
// the way an app would: esbuild --bundle --minify --format=esm --platform=browser.
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const measure = async (external) => {
  const result = await build({
    entryPoints: [new URL('../test/fixtures/typical-usage.ts', import.meta.url).pathname],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    external,
    logLevel: 'error',
  });
  const bytes = result.outputFiles[0].contents;
  return { min: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
};

const all = await measure([]);
console.log(`typical usage: ${all.min} B min, ${all.gzip} B min+gzip (budget in bench/size-budget.json)`);
