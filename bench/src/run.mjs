// `npm run bench` (add `-- --quick` for a fast check, `-- --size-only` to skip the browser,
// `-- --readme` to also paste the table into bench/README.md): measures bundle sizes and the
// runtime figures in one run, prints a markdown table and writes bench/results/latest.json.
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, platform, release } from 'node:os';
import { fileURLToPath } from 'node:url';
import { renderMarkdown } from './report.mjs';
import { runRuntime } from './runtime.mjs';
import { measureSizes } from './size.mjs';

const argv = new Set(process.argv.slice(2));
// From the repository root, `npm run bench -- --quick` reaches this script through a nested
// `npm run … --workspace bench`, which takes `--quick` as an npm config and passes it on only as
// `npm_config_quick=true`: accept both spellings.
const flag = (name) => argv.has(`--${name}`) || process.env[`npm_config_${name.replace(/-/g, '_')}`] === 'true';
const args = { has: (option) => flag(option.replace(/^--/, '')) };
const quick = args.has('--quick');
const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));

/** The commit measured, and whether tracked files differed from it (the README excepted, which --readme rewrites). */
function gitCommit() {
  try {
    const git = (...a) =>
      execFileSync('git', a, {
        cwd: fileURLToPath(new URL('..', import.meta.url)),
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
    const sha = git('rev-parse', '--short', 'HEAD');
    const changed = git('status', '--porcelain', '--untracked-files=no', '--', ':/', ':(top,exclude)bench/README.md');
    return changed ? `${sha} with uncommitted changes` : sha;
  } catch {
    return undefined;
  }
}

const meta = {
  date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  commit: gitCommit(),
  machine: cpus()[0]?.model.trim() ?? 'unknown CPU',
  cpus: cpus().length,
  os: `${platform()} ${release()}`,
  node: process.version,
  quick,
};

console.error('[bench] bundle sizes');
const size = await measureSizes();

let runtime;
if (args.has('--size-only')) {
  runtime = { skipped: '--size-only' };
} else {
  // BENCH_DEV_IDP points at another build of the dev IdP module (e.g. while it is being written).
  const idp = await import(process.env.BENCH_DEV_IDP || 'sso-spa-dev-idp').catch((error) => ({ error }));
  if (typeof idp.createDevIdp !== 'function') {
    runtime = {
      skipped: `the dev IdP (sso-spa-dev-idp) is not built: ${String(idp.error?.message ?? 'no createDevIdp export').split('\n')[0]}`,
    };
  } else {
    try {
      runtime = await runRuntime({ createDevIdp: idp.createDevIdp, quick });
      meta.chromium = runtime.userAgent?.match(/(?:Headless)?Chrome\/[\d.]+/)?.[0];
    } catch (error) {
      // Sizes are still worth printing when the browser part cannot run (e.g. no Chromium).
      runtime = { skipped: String(error?.message ?? error).split('\n')[0] };
      process.exitCode = 1;
    }
  }
}

const result = { meta, size, runtime };
await mkdir(resultsDir, { recursive: true });
await writeFile(`${resultsDir}latest.json`, `${JSON.stringify(result, null, 2)}\n`);
const markdown = renderMarkdown(result);
process.stdout.write(markdown);
console.error(`[bench] wrote ${resultsDir}latest.json`);

if (args.has('--readme')) {
  const readme = fileURLToPath(new URL('../README.md', import.meta.url));
  const text = await readFile(readme, 'utf8');
  const start = '<!-- bench:start -->';
  const end = '<!-- bench:end -->';
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README.md has no ${start} … ${end} section`);
  await writeFile(readme, `${text.slice(0, from + start.length)}\n${markdown}${text.slice(to)}`);
  console.error('[bench] updated README.md');
}

if (process.env.BENCH_DEBUG)
  setTimeout(() => console.error('[bench] still alive:', process.getActiveResourcesInfo()), 2000).unref();
