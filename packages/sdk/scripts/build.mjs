// Builds the published files: one ESM module per source module, so that what the SDK loads
// with `import()` (DPoP, ID token signature checks, popups…) stays a separate chunk that an
// app's bundler keeps out of its start-up bundle; the script-tag build that defines
// `window.SsoSpa` (everything in one file); and declarations from tsc.
import { execFileSync } from 'node:child_process';
import { copyFileSync, readdirSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('dist', { recursive: true, force: true });
const common = {
  bundle: true,
  target: 'es2022',
  platform: 'browser',
  sourcemap: true,
  legalComments: 'none',
  logLevel: 'warning',
};

// One output module per source module, as written: an app's bundler then leaves out, module
// by module, what the app never reaches, and what the SDK loads with `import()` stays a
// separate chunk in the app's build. (Pre-bundled chunks shared by four entry points cost a
// typical app ~100 B gzip of glue and code it never calls.)
await build({
  ...common,
  bundle: false,
  entryPoints: readdirSync('src', { recursive: true })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
    .map((file) => `src/${file}`),
  outdir: 'dist',
  outbase: 'src',
  format: 'esm',
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
