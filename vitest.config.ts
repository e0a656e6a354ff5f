import { defineConfig } from 'vitest/config';

// Two tiers, one runner. Unit tests fake the network edge and the clock and run in parallel;
// browser tests drive real Chromium against real loopback servers, so they run a few at a
// time on a 2-core machine and get generous timeouts for real network round trips.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/*/test/**/*.test.{ts,tsx}', 'apps/*/test/**/*.test.{ts,tsx}', 'bench/test/**/*.test.ts'],
          exclude: ['**/*.browser.test.{ts,tsx}', '**/node_modules/**'],
          environment: 'node',
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'browser',
          include: [
            'packages/*/test/**/*.browser.test.{ts,tsx}',
            'apps/*/test/**/*.browser.test.{ts,tsx}',
            'e2e/**/*.browser.test.ts',
          ],
          exclude: ['**/node_modules/**'],
          environment: 'node',
          testTimeout: 60_000,
          // Real servers and a real browser on a loaded machine: polls wait for what a person would.
          expect: { poll: { timeout: 15_000 } },
          hookTimeout: 60_000,
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
