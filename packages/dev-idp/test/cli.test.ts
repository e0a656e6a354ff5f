import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevIdp } from '../src/index.js';
import { Agent, authorize } from './helpers.js';

// The CLI runs as its own process so signals are real. It is bundled from source on the fly
// (oidc-provider stays external and resolves from the workspace), so the test needs no build.
const cacheDir = fileURLToPath(new URL('../node_modules/.cache/', import.meta.url));

function waitForOutput(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (pattern.test(output)) {
        child.stdout?.off('data', onData);
        resolve(output);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${output}`)));
  });
}

describe('sso-spa-dev-idp CLI', { timeout: 20_000 }, () => {
  let cli: string;
  let outdir: string;

  beforeAll(async () => {
    await mkdir(cacheDir, { recursive: true });
    outdir = await mkdtemp(join(cacheDir, 'cli-test-'));
    cli = join(outdir, 'cli.mjs');
    await build({
      entryPoints: [fileURLToPath(new URL('../src/cli.ts', import.meta.url))],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      outfile: cli,
      logLevel: 'silent',
    });
  });
  afterAll(async () => {
    await rm(outdir, { recursive: true, force: true });
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`prints the issuer, users and clients, serves sign-in, and stops on ${signal}`, async () => {
      const child = spawn(
        process.execPath,
        [cli, '--port', '0', '--hostname', 'idp.localhost', '--client', 'site-a=http://app-a.localhost:5173/callback'],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      try {
        const output = await waitForOutput(child, /Press Ctrl\+C/);
        const issuer = /issuer\s+(\S+)/.exec(output)?.[1];
        expect(issuer).toMatch(/^http:\/\/idp\.localhost:\d+\/$/);
        expect(output).toContain('listening on 127.0.0.1:');
        expect(output).toContain('alice@example.com / wonderland');
        expect(output).toContain('site-a');
        const idp = { issuer, port: Number(new URL(issuer!).port) } as DevIdp;
        const result = await authorize(new Agent(idp), idp);
        expect(result.code).toBeTruthy();
        const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
        child.kill(signal);
        expect(await exited).toBe(0);
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    });
  }
});
