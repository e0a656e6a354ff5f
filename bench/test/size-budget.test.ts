// The size budget in the unit tier: CI fails when sso-spa's typical-usage bundle, its session
// entry or its dialog entry outgrows its gzip budget in bench/size-budget.json. Sizes, not times,
// so the check is deterministic. Needs the SDK built (`npm run build`), as CI does before tests.
import { describe, expect, it } from 'vitest';
import { checkBudgets, readBudgets } from '../size-budget.mjs';

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
});
