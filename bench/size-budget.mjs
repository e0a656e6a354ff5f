// The size budget: fails when sso-spa's typical-usage bundle, its session entry or its dialog
// entry grows past its gzip budget in size-budget.json. Run with `node bench/size-budget.mjs`;
// bench/test/size-budget.test.ts runs the same check in the unit tier, so CI catches growth.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { measureSizes, sizeEntries } from './src/size.mjs';

/** @returns {Record<string, number>} entry id → gzip budget in bytes */
export function readBudgets() {
  return JSON.parse(readFileSync(new URL('./size-budget.json', import.meta.url), 'utf8')).budgets;
}

/**
 * Measures the budgeted entries and compares each with its budget. An entry that cannot be
 * bundled fails the check too: a budget that silently measures nothing protects nothing.
 * @returns {Promise<{ id: string, budget: number, gzip?: number, ok: boolean, error?: string }[]>}
 */
export async function checkBudgets(budgets = readBudgets()) {
  const entries = sizeEntries.filter((e) => e.id in budgets);
  const missing = Object.keys(budgets).filter((id) => !entries.some((e) => e.id === id));
  if (missing.length) throw new Error(`budgets for unknown entries: ${missing.join(', ')}`);
  const rows = await measureSizes(entries);
  return rows.map((row) => ({
    id: row.id,
    budget: budgets[row.id],
    gzip: row.gzip,
    ok: row.error === undefined && row.gzip <= budgets[row.id],
    ...(row.error === undefined ? {} : { error: row.error }),
  }));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const results = await checkBudgets();
  for (const r of results) {
    const figure = r.error ? `error: ${r.error}` : `${r.gzip} B gzip`;
    console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.id}: ${figure} (budget ${r.budget} B)`);
  }
  if (results.some((r) => !r.ok)) process.exitCode = 1;
}
