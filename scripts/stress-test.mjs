#!/usr/bin/env node
// Runs the test suite N times in a row while two CPU-bound processes keep the machine busy,
// the conditions under which a test that races the machine (a fixed sleep, a clock moved
// before the work started) fails. Prints, per run, passed/failed/duration and the failing
// tests' names; exits non-zero when any run failed.
//
//   npm run test:stress                       three runs of `npm test`
//   npm run test:stress -- --runs 1 --project unit
//   npm run test:stress -- --no-load          the same, without the CPU load
//
// The load is `stress-ng --cpu 2` when installed (installed with apt-get when running as
// root), otherwise two node busy loops. It is stopped at the end whatever happens, also on
// Ctrl-C.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    project: { type: 'string' },
    'no-load': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log('usage: node scripts/stress-test.mjs [--runs N] [--project unit|browser] [--no-load]');
  process.exit(0);
}
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`--runs must be a positive integer, got ${values.runs}`);
  process.exit(2);
}
const withLoad = !values['no-load'];

const hasCommand = (name) => spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;

/** stress-ng if it is (or can be made) available; otherwise undefined. */
function stressNg() {
  if (hasCommand('stress-ng')) return 'stress-ng';
  if (process.getuid?.() === 0 && hasCommand('apt-get')) {
    console.log('[stress] installing stress-ng with apt-get');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const install = spawnSync('apt-get', ['install', '-y', '-qq', 'stress-ng'], { stdio: 'ignore', env });
    if (install.status !== 0) spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env });
    if (install.status !== 0) spawnSync('apt-get', ['install', '-y', '-qq', 'stress-ng'], { stdio: 'ignore', env });
    if (hasCommand('stress-ng')) return 'stress-ng';
  }
  return undefined;
}

/** The load processes, each the leader of its own process group so the whole group can be stopped. */
const load = [];
function startLoad() {
  const ng = stressNg();
  if (ng) {
    load.push(spawn(ng, ['--cpu', '2', '--quiet'], { stdio: 'ignore', detached: true }));
    console.log('[stress] load: stress-ng --cpu 2');
  } else {
    for (let i = 0; i < 2; i++) {
      load.push(spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore', detached: true }));
    }
    console.log('[stress] load: two node busy loops (stress-ng unavailable)');
  }
}

let stopped = false;
function stopLoad() {
  if (stopped) return;
  stopped = true;
  for (const child of load) {
    if (child.pid === undefined || child.exitCode !== null) continue;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  }
}

/** The run in progress, so Ctrl-C can stop it too. */
let current;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    console.log(`\n[stress] ${signal}: stopping the load and the run`);
    stopLoad();
    if (current?.pid !== undefined) {
      try {
        process.kill(-current.pid, 'SIGTERM');
      } catch {}
    }
    process.exit(130);
  });
}
process.on('exit', stopLoad);

/** The failing tests' names in a Vitest JSON report, and the files that failed without a test. */
function failures(report) {
  const names = [];
  for (const file of report.testResults ?? []) {
    const failed = (file.assertionResults ?? []).filter((t) => t.status === 'failed');
    for (const test of failed) names.push(`${file.name.replace(`${process.cwd()}/`, '')} › ${test.fullName}`);
    if (failed.length === 0 && file.status === 'failed') {
      names.push(`${file.name.replace(`${process.cwd()}/`, '')} (${String(file.message).split('\n')[0]})`);
    }
  }
  return names;
}

function runOnce(index, outDir) {
  const json = join(outDir, `run-${index}.json`);
  const args = ['test', '--', '--reporter=default', '--reporter=json', `--outputFile.json=${json}`];
  if (values.project) args.push('--project', values.project);
  const started = Date.now();
  return new Promise((resolve) => {
    current = spawn('npm', args, { stdio: 'inherit', detached: true });
    current.on('exit', (code) => {
      current = undefined;
      const seconds = (Date.now() - started) / 1000;
      let report;
      try {
        report = JSON.parse(readFileSync(json, 'utf8'));
      } catch {}
      resolve({
        index,
        code,
        seconds,
        passed: report?.numPassedTests ?? 0,
        failed: report?.numFailedTests ?? 0,
        names: report ? failures(report) : [`no report (npm test exited with ${code})`],
      });
    });
  });
}

const outDir = mkdtempSync(join(tmpdir(), 'sso-spa-stress-'));
const results = [];
try {
  if (withLoad) startLoad();
  for (let i = 1; i <= runs; i++) {
    console.log(`\n[stress] run ${i} of ${runs}${values.project ? ` (project ${values.project})` : ''}`);
    results.push(await runOnce(i, outDir));
  }
} finally {
  stopLoad();
  rmSync(outDir, { recursive: true, force: true });
}

console.log(`\n[stress] summary${withLoad ? ' (under CPU load)' : ''}`);
for (const r of results) {
  const ok = r.code === 0 && r.failed === 0;
  console.log(`  run ${r.index}: ${ok ? 'PASS' : 'FAIL'}  ${r.passed} passed, ${r.failed} failed, ${r.seconds.toFixed(0)} s`);
  if (!ok) for (const name of r.names) console.log(`    ✗ ${name}`);
}
const bad = results.filter((r) => r.code !== 0 || r.failed > 0).length;
console.log(`  ${results.length - bad} of ${results.length} runs green`);
process.exitCode = bad ? 1 : 0;
