import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../src/report.mjs';
import { bestPeer, ratio, summarize } from '../src/stats.mjs';

describe('summarize', () => {
  it('gives the median, min and max of odd and even counts', () => {
    expect(summarize([5, 1, 3])).toEqual({ median: 3, min: 1, max: 5, n: 3 });
    expect(summarize([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4, n: 4 });
    expect(summarize([])).toBeUndefined();
  });
});

describe('ratios to the best peer', () => {
  const rows = [
    { ours: true, v: 1 },
    { ours: false, v: 40 },
    { ours: false, v: 10 },
    { ours: false, v: undefined },
  ];

  it('takes the best figure among peers only, lowest or highest', () => {
    expect(bestPeer(rows, (r: { v?: number }) => r.v)).toBe(10);
    expect(bestPeer(rows, (r: { v?: number }) => r.v, true)).toBe(40);
    expect(bestPeer([{ ours: true, v: 1 }], (r: { v: number }) => r.v)).toBeUndefined();
  });

  it('divides by the best peer and refuses to divide what it cannot compare', () => {
    expect(ratio(5, 10)).toBe(0.5);
    expect(ratio(0, 0)).toBe(1);
    expect(ratio(3, 0)).toBeUndefined();
    expect(ratio(undefined, 10)).toBeUndefined();
  });
});

describe('the markdown report', () => {
  const meta = { date: '2026-11-26T00:00:00Z', machine: 'CPU', cpus: 2, os: 'linux', node: 'v20', quick: false };
  const size = [
    { id: 'sso-spa', label: 'sso-spa', group: 'typical', ours: true, min: 100, gzip: 50, brotli: 40 },
    { id: 'peer', label: 'peer', group: 'typical', ours: false, min: 400, gzip: 200, brotli: 160 },
    { id: 'sso-spa/dialog', label: 'sso-spa/dialog', group: 'extra', ours: true, error: 'the entry point is empty' },
  ];

  it('gives every size figure with its ratio to the best peer, and says what was not measured', () => {
    const md = renderMarkdown({ meta, size, runtime: { skipped: 'no IdP' } });
    expect(md).toContain('| **sso-spa** | 100 (0.25×) | 50 (0.25×) | 40 (0.25×) |');
    expect(md).toContain('| peer | 400 (1.00×) | 200 (1.00×) | 160 (1.00×) |');
    expect(md).toContain('not measured: the entry point is empty');
    expect(md).toContain('Runtime benchmarks not run: no IdP');
  });

  it('renders throughput as higher-is-better and latency as lower-is-better ratios', () => {
    const runtime = {
      throughput: [
        { sdk: 'sso-spa', ours: true, opsPerSecond: { median: 3000, min: 2000, max: 4000, n: 3 } },
        { sdk: 'auth0-spa-js', ours: false, opsPerSecond: { median: 1500, min: 1000, max: 2000, n: 3 } },
      ],
      renewal: [
        { sdk: 'sso-spa', ours: true, via: 'iframe', ms: { median: 20, min: 10, max: 30, n: 15 } },
        { sdk: 'auth0-spa-js', ours: false, via: 'iframe', ms: { median: 40, min: 30, max: 50, n: 15 } },
        { sdk: 'oidc-client-ts', ours: false, via: 'iframe', ms: { median: 80, min: 70, max: 90, n: 15 } },
      ],
      errors: [{ sdk: 'oidc-client-ts', phase: 'renewal-refresh', error: 'no refresh token' }],
    };
    const md = renderMarkdown({ meta, size, runtime });
    expect(md).toContain('| **sso-spa** | 3,000 (2.00×) | 2,000 (2.00×) | 4,000 (2.00×) | 3 |');
    expect(md).toContain('| **sso-spa** | 20.0 (0.50×) | 10.0 (0.33×) | 30.0 (0.60×) | 15 |');
    expect(md).toContain('| oidc-client-ts | 80.0 (2.00×) | 70.0 (2.33×) | 90.0 (1.80×) | 15 |');
    expect(md).toContain('- oidc-client-ts renewal-refresh: no refresh token');
  });

  it('renders request counts, keeps failed rows out of the best, and says so when the best peer made none', () => {
    const stat = (median: number) => ({ median, min: median, max: median, n: 3 });
    const tabsRow = (sdk: string, ours: boolean, token: number, failedCalls: number) => ({
      sdk,
      ours,
      mode: 'refresh',
      tabs: 3,
      calls: 5,
      requests: stat(token),
      tokenRequests: stat(token),
      authorizeRequests: stat(0),
      perRound: [1, 2, 3].map(() => ({ token, authorize: 0 })),
      failedCalls,
      failures: [] as string[],
    });
    const runtime = {
      tabs: [
        tabsRow('sso-spa', true, 1, 0),
        tabsRow('auth0-spa-js', false, 2, 0),
        { ...tabsRow('oidc-client-ts', false, 0, 4), failures: ['invalid_grant'] },
      ],
    };
    const md = renderMarkdown({ meta, size, runtime });
    expect(md).toContain('| **sso-spa** | refresh token | 3 × 5 | 1 (0.50×) | 1 | 1 / 0, 1 / 0, 1 / 0 | 0 |');
    expect(md).toContain('| @auth0/auth0-spa-js | refresh token | 3 × 5 | 2 (1.00×) | 2 | 2 / 0, 2 / 0, 2 / 0 | 0 |');
    // Fewer requests because the calls failed is not a win: never the best, never a ratio.
    expect(md).toContain(
      '| oidc-client-ts | refresh token | 3 × 5 | 0 (not comparable: calls failed) | 0 | 0 / 0, 0 / 0, 0 / 0 | 4 of 45 (invalid_grant) |',
    );
  });

  it('puts the cookie regimes of a reload row side by side, and never compares a row that ended signed out', () => {
    const stat = (median: number) => ({ median, min: median - 10, max: median + 10, n: 15 });
    const row = (
      sdk: string,
      ours: boolean,
      regime: string,
      ms: number,
      requests: number,
      topLevel: number,
      signedIn: number,
    ) => ({
      sdk,
      ours,
      regime,
      config: 'default',
      settings: `${sdk} defaults`,
      tables: ['default'],
      ms: stat(ms),
      idpRequests: stat(requests),
      topLevel: stat(topLevel),
      signedIn,
      reloads: 15,
      failures: [],
    });
    const runtime = {
      reload: [
        row('auth0-spa-js', false, 'allowed', 250, 2, 0, 15),
        row('oidc-client-ts', false, 'allowed', 100, 0, 0, 15),
        row('sso-spa', true, 'allowed', 200, 2, 0, 15),
        row('auth0-spa-js', false, 'blocked', 150, 1, 0, 0),
        row('oidc-client-ts', false, 'blocked', 120, 0, 0, 15),
        row('sso-spa', true, 'blocked', 480, 3, 1, 15),
      ],
    };
    const md = renderMarkdown({ meta, size, runtime });
    // Ours first; then each regime's median (ratio), min – max, requests (top-level trips) and sign-in count.
    expect(md).toContain(
      '| **sso-spa** | sso-spa defaults | 200 (2.00×) | 190 – 210 | 2 (best peer: 0) | 15 of 15 | 480 (4.00×) | 470 – 490 | 3 (best peer: 0), 1 top-level | 15 of 15 |',
    );
    // Signed out after every reload: quick for the wrong reason, so no ratio, and not the best peer.
    expect(md).toContain(
      '| @auth0/auth0-spa-js | auth0-spa-js defaults | 250 (2.50×) | 240 – 260 | 2 (best peer: 0) | 15 of 15 | 150 (signed out) | 140 – 160 | 1 | 0 of 15 |',
    );
    expect(md.indexOf('**sso-spa**')).toBeLessThan(md.indexOf('| @auth0/auth0-spa-js | auth0'));
  });

  it('says where the time of the reloads through a top-level redirect went', () => {
    const stat = (median: number) => ({ median, min: median, max: median, n: 15 });
    const runtime = {
      reload: [
        {
          sdk: 'sso-spa',
          ours: true,
          regime: 'blocked',
          config: 'default',
          settings: 'defaults',
          tables: ['default'],
          ms: stat(400),
          idpRequests: stat(3),
          topLevel: stat(1),
          signedIn: 15,
          reloads: 15,
          redirect: { firstPage: stat(200), roundTrip: stat(30), lastPage: stat(170), n: 15 },
        },
      ],
    };
    const md = renderMarkdown({ meta, size, runtime });
    expect(md).toContain('| **sso-spa** | defaults | blocked | 200 | 30.0 | 170 | 15 of 15 |');
  });

  it('breaks a renewal down into parts with their shares, and the SDK parts into its own work', () => {
    const parts = (values: number[]) =>
      Object.fromEntries(
        ['sdkBefore', 'navigation', 'authorize', 'message', 'sdkBetween', 'token', 'sdkAfter'].map((id, i) => [
          id,
          { median: values[i], min: 0, max: 0, n: 5 },
        ]),
      );
    const share = (values: number[]) => {
      const sum = values.reduce((a, b) => a + b, 0);
      return Object.fromEntries(
        ['sdkBefore', 'navigation', 'authorize', 'message', 'sdkBetween', 'token', 'sdkAfter'].map((id, i) => [
          id,
          (values[i] ?? 0) / sum,
        ]),
      );
    };
    const ours = [10, 5, 10, 40, 5, 20, 10];
    const peer = [20, 5, 10, 40, 10, 20, 10];
    const runtime = {
      renewalBreakdown: [
        {
          sdk: 'sso-spa',
          ours: true,
          parts: parts(ours),
          share: share(ours),
          sdkShare: 0.25,
          total: { median: 100, min: 90, max: 110, n: 5 },
          runs: 5,
          aborted: 2,
        },
        {
          sdk: 'auth0-spa-js',
          ours: false,
          parts: parts(peer),
          share: share(peer),
          sdkShare: 40 / 115,
          total: { median: 115, min: 100, max: 130, n: 5 },
          runs: 5,
          aborted: 0,
        },
      ],
    };
    const md = renderMarkdown({ meta, size, runtime });
    expect(md).toContain('| part | **sso-spa** | @auth0/auth0-spa-js |');
    expect(md).toContain('| message back: /authorize response end → message in the page | 40.0 (40 %) | 40.0 (35 %) |');
    expect(md).toContain(
      "| **the SDK's own work** (the three SDK parts; ratio to the best peer) | 25.0 (0.63×), 25 % | 40.0 (1.00×), 35 % |",
    );
    expect(md).toContain('| whole renewal (median of the totals; ratio to the best peer) | 100 (0.87×) | 115 (1.00×) |');
    expect(md).toContain('in 2 of 5 runs');
  });
});
