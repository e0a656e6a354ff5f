// Bundle-size measurement: every entry in bench/entries is bundled the same way (esbuild:
// bundle, minify, ESM, browser platform, ES2022, production defines) and measured as minified,
// gzip (level 9) and brotli (quality 11) bytes with node:zlib.
//
// Code splitting is on, as in an app built with Vite or Rollup: what a page downloads at start is
// the entry chunk plus the chunks it imports statically. Chunks reached only through `import()`
// (oidc-spa's WebCrypto shim for insecure contexts, ~480 kB) are reported apart as `lazyMin`,
// because without splitting esbuild would inline them and charge every page for them.
import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build } from 'esbuild';

export const entriesDir = fileURLToPath(new URL('../entries/', import.meta.url));

/** The bundle settings shared by every entry, so the figures differ only by library. */
export const bundleOptions = Object.freeze({
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
  legalComments: 'none',
  treeShaking: true,
  splitting: true,
  write: false,
  logLevel: 'silent',
});

/**
 * What each row measures. `group` separates the typical-usage comparison from the two optional
 * sso-spa entry points that are measured on their own.
 * @type {{ id: string, label: string, group: 'typical' | 'extra', ours: boolean, file: string }[]}
 */
export const sizeEntries = [
  { id: 'sso-spa', label: 'sso-spa', group: 'typical', ours: true, file: 'sso-spa.ts' },
  { id: 'auth0-spa-js', label: '@auth0/auth0-spa-js', group: 'typical', ours: false, file: 'auth0-spa-js.ts' },
  { id: 'oidc-client-ts', label: 'oidc-client-ts', group: 'typical', ours: false, file: 'oidc-client-ts.ts' },
  { id: 'msal-browser', label: '@azure/msal-browser', group: 'typical', ours: false, file: 'msal-browser.ts' },
  { id: 'okta-auth-js', label: '@okta/okta-auth-js', group: 'typical', ours: false, file: 'okta-auth-js.ts' },
  { id: 'oidc-spa', label: 'oidc-spa', group: 'typical', ours: false, file: 'oidc-spa.ts' },
  { id: 'sso-spa/session', label: 'sso-spa/session (whole entry)', group: 'extra', ours: true, file: 'sso-spa-session.ts' },
  { id: 'sso-spa/dialog', label: 'sso-spa/dialog (whole entry)', group: 'extra', ours: true, file: 'sso-spa-dialog.ts' },
];

/**
 * The output built from entry `file` in an esbuild metafile's `outputs`. Chunks reached by
 * `import()` have an `entryPoint` too, and may be listed first.
 */
export function entryOutput(outputs, file) {
  return Object.keys(outputs).find(
    (k) => k.endsWith('.js') && outputs[k].entryPoint && resolve(outputs[k].entryPoint) === resolve(file),
  );
}

/**
 * Bundles one entry file. Returns the bytes loaded at start (the entry chunk and, transitively,
 * the chunks it imports statically, concatenated) and the minified bytes of lazy chunks.
 */
export async function bundle(file) {
  const outdir = '/bench-out';
  const result = await build({ ...bundleOptions, entryPoints: { entry: file }, outdir, metafile: true });
  const byPath = new Map(result.outputFiles.map((f) => [f.path, f.contents]));
  const outputs = result.metafile.outputs;
  const entryKey = entryOutput(outputs, file);
  if (!entryKey) throw new Error(`esbuild produced no JavaScript for ${file}`);
  const initial = new Set();
  const visit = (k) => {
    if (initial.has(k)) return;
    initial.add(k);
    for (const imported of outputs[k].imports)
      if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
  };
  visit(entryKey);
  // Metafile keys are relative to the working directory, output paths absolute; chunk file
  // names are unique within one build, so the base name identifies a chunk.
  const contents = (k) => {
    const bytes = byPath.get(`${outdir}/${basename(k)}`);
    if (!bytes) throw new Error(`no output for ${k}`);
    return bytes;
  };
  const parts = [...initial].map(contents);
  const lazyMin = Object.keys(outputs)
    .filter((k) => k.endsWith('.js') && !initial.has(k))
    .reduce((sum, k) => sum + contents(k).byteLength, 0);
  return { bytes: Buffer.concat(parts), chunks: parts.length, lazyMin };
}

/** Minified, gzip and brotli sizes of some bytes. */
export function compressedSizes(bytes) {
  return {
    min: bytes.byteLength,
    gzip: gzipSync(bytes, { level: 9 }).byteLength,
    brotli: brotliCompressSync(bytes, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 11,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: bytes.byteLength,
      },
    }).byteLength,
  };
}

/**
 * Measures every entry. An entry that does not bundle (e.g. sso-spa before its core is built)
 * yields a row with `error` instead of figures, so the peers are still measured.
 */
export async function measureSizes(entries = sizeEntries) {
  const rows = [];
  for (const entry of entries) {
    const file = `${entriesDir}${entry.file}`;
    try {
      if (!existsSync(file)) throw new Error(`missing ${file}`);
      const { bytes, chunks, lazyMin } = await bundle(file);
      if (bytes.byteLength < 64) throw new Error('the entry point is empty (not implemented yet)');
      rows.push({ ...entry, ...compressedSizes(bytes), chunks, lazyMin });
    } catch (error) {
      const message = error?.errors?.[0]?.text ?? String(error?.message ?? error);
      rows.push({ ...entry, error: message });
    }
  }
  return rows;
}
