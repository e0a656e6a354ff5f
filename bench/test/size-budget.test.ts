// The size budget in the unit tier: CI fails when sso-spa's typical-usage bundle, its session
// entry or its dialog entry outgrows its gzip budget in bench/size-budget.json. Sizes, not times,
// so the check is deterministic. Needs the SDK built (`npm run build`), as CI does before tests.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkBudgets, readBudgets } from '../size-budget.mjs';
import { bundle, entryOutput } from '../src/size.mjs';

describe('the sso-spa size budget', () => {
  it('keeps every budgeted bundle within its gzip budget', async () => {
    const budgets = readBudgets();
    const results = await checkBudgets(budgets);
    expect(results.map((r) => r.id).sort()).toEqual(['sso-spa', 'sso-spa/dialog', 'sso-spa/session']);
    for (const result of results) {
      expect(result.error, `${result.id} did not bundle`).toBeUndefined();
      expect(result.gzip, `${result.id} is over its budget`).toBeLessThanOrEqual(budgets[result.id] ?? 0);
      expect(result.ok).toBe(true);
    }
  }, 60_000);

  it('fails a bundle that is over its budget, and a budget for an entry it does not know', async () => {
    const [result] = await checkBudgets({ 'sso-spa': 1000 });
    expect(result).toMatchObject({ id: 'sso-spa', budget: 1000, ok: false });
    expect(result?.gzip).toBeGreaterThan(1000);
    await expect(checkBudgets({ 'not-an-entry': 1 })).rejects.toThrow(/unknown entries/);
  }, 60_000);

  it('measures the entry and its static imports, not a chunk reached only by import()', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'size-entry-'));
    try {
      writeFileSync(join(dir, 'lazy.ts'), `export const lazy = ${JSON.stringify('lazy-part '.repeat(200))};`);
      writeFileSync(join(dir, 'shared.ts'), `export const shared = 'static-part';`);
      writeFileSync(
        join(dir, 'entry.ts'),
        `import { shared } from './shared.js';\nconsole.log('entry-part', shared);\nvoid import('./lazy.js').then((m) => console.log(m.lazy));`,
      );
      const { bytes, lazyMin } = await bundle(join(dir, 'entry.ts'));
      const text = Buffer.from(bytes).toString();
      expect(text).toContain('entry-part');
      expect(text).toContain('static-part');
      expect(text).not.toContain('lazy-part');
      expect(lazyMin).toBeGreaterThan(2000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('finds the entry among outputs that list a lazy chunk first', () => {
    const outputs = {
      'out/lazy-X.js': { entryPoint: 'src/lazy.ts' },
      'out/chunk-Y.js': {},
      'out/entry.js': { entryPoint: 'src/entry.ts' },
      'out/entry.css': { entryPoint: 'src/entry.ts' },
    };
    expect(entryOutput(outputs, 'src/entry.ts')).toBe('out/entry.js');
    expect(entryOutput(outputs, 'src/other.ts')).toBeUndefined();
  });
});
