import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module script without declarations
import { checkApiReports } from '../scripts/api-report.mjs';

describe('the public surface', () => {
  it('matches the committed API reports (etc/*.api.md): a change to it is deliberate and reviewed', () => {
    // Built declarations (npm test builds first). On a deliberate change: node packages/sdk/scripts/api-report.mjs --update
    expect((checkApiReports as (options: { write: boolean }) => string[])({ write: false })).toEqual([]);
  }, 60_000);
});
