// Builds the published files: one ESM file per entry point, with code splitting so that what
// the SDK loads with `import()` (DPoP, ID token signature checks, popups…) stays a separate
// chunk that an app's bundler keeps out of its start-up bundle; the script-tag build that
// defines `window.SsoSpa` (everything in one file); and declarations from tsc.
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const entries = Object.entries(pkg.exports)
  .filter(([key]) => key !== './package.json' && !key.endsWith('.html'))
  .map(([, target]) => target.default.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts'));

rmSync('dist', { recursive: true, force: true });
const external = Object.keys(pkg.dependencies ?? {});
const common = {
  bundle: true,
  target: 'es2022',
  platform: 'browser',
  sourcemap: true,
  legalComments: 'none',
  logLevel: 'warning',
};

await build({
  ...common,
  entryPoints: entries,
  outdir: 'dist',
  outbase: 'src',
  format: 'esm',
  external,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
});
await build({
  ...common,
  entryPoints: ['src/index.ts'],
  outfile: 'dist/sso-spa.global.js',
  format: 'iife',
  globalName: 'SsoSpa',
  minify: true,
});
execFileSync('npx', ['tsc', '-p', 'tsconfig.json', '--emitDeclarationOnly'], { stdio: 'inherit' });
// The ready-made silent-callback page ships as it is: no build step, no SDK inside.
copyFileSync('static/silent-callback.html', 'dist/silent-callback.html');
