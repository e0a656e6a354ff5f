// Turns the measured figures into the markdown table printed by `npm run bench` (and pasted into
// bench/README.md). Every figure is also given as a ratio to the best peer.
import { renewalParts } from './breakdown.mjs';
import { bestPeer, ratio } from './stats.mjs';

const labels = {
  'sso-spa': 'sso-spa',
  'auth0-spa-js': '@auth0/auth0-spa-js',
  'oidc-client-ts': 'oidc-client-ts',
};
const label = (row) => (row.ours ? `**${row.label ?? labels[row.sdk] ?? row.sdk}**` : (row.label ?? labels[row.sdk] ?? row.sdk));
const int = (n) => (typeof n === 'number' ? Math.round(n).toLocaleString('en-US') : '—');
const ms = (n) => (typeof n === 'number' ? (n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : n.toFixed(0)) : '—');
const x = (r) => (typeof r === 'number' ? `${r < 0.1 ? r.toFixed(3) : r.toFixed(2)}×` : '—');
const cell = (text, value, best) => (best === 0 && value !== 0 ? `${text} (best peer: 0)` : `${text} (${x(ratio(value, best))})`);
const table = (head, rows) =>
  [
    `| ${head.join(' | ')} |`,
    `|${head.map((_, i) => (i ? '---:' : '---')).join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');

/**
 * Median, min and max cells, each with its ratio to the best peer's figure of the same kind
 * (the best peer median for the median, and so on).
 */
function statCells(rows, pick, format, higherIsBetter = false) {
  const best = Object.fromEntries(['median', 'min', 'max'].map((k) => [k, bestPeer(rows, (r) => pick(r)?.[k], higherIsBetter)]));
  return (row) => ['median', 'min', 'max'].map((k) => cell(format(pick(row)[k]), pick(row)[k], best[k]));
}

function sizeSection(size) {
  const typical = size.filter((r) => r.group === 'typical');
  const best = {
    min: bestPeer(typical, (r) => r.min),
    gzip: bestPeer(typical, (r) => r.gzip),
    brotli: bestPeer(typical, (r) => r.brotli),
  };
  const rows = size.map((r) =>
    r.error
      ? [label(r), `not measured: ${r.error}`, '', '']
      : [
          label(r),
          cell(int(r.min), r.min, best.min),
          cell(int(r.gzip), r.gzip, best.gzip),
          cell(int(r.brotli), r.brotli, best.brotli),
        ],
  );
  return [
    '### Bundle size (bytes loaded at start; ratio to the smallest peer)',
    '',
    table(['typical usage entry', 'min', 'gzip', 'brotli'], rows),
    '',
    'esbuild: bundle, minify, ESM, platform browser, target es2022, `process.env.NODE_ENV="production"`, code splitting; ' +
      'the bytes loaded at start are the entry chunk and its static imports (chunks reached only by `import()` are left out: ' +
      size
        .filter((r) => r.lazyMin)
        .map((r) => `${r.label} ${int(r.lazyMin)} B min`)
        .join(', ') +
      '). The two sso-spa/* rows are optional entry points, measured whole and compared with the same best peer.',
  ].join('\n');
}

function runtimeSection(rt) {
  const out = [];
  if (rt.throughput?.length) {
    const cells = statCells(rt.throughput, (r) => r.opsPerSecond, int, true);
    out.push(
      '### getTokenSilently cache hits (ops/s; ratio to the best peer, higher is better)',
      '',
      table(
        ['SDK', 'median', 'min', 'max', 'rounds'],
        rt.throughput.map((r) => [label(r), ...cells(r), String(r.opsPerSecond.n)]),
      ),
    );
  }
  for (const via of ['iframe', 'refresh']) {
    const rows = (rt.renewal ?? []).filter((r) => r.via === via);
    if (!rows.length) continue;
    const cells = statCells(rows, (r) => r.ms, ms);
    const how = via === 'iframe' ? 'through the hidden iframe (prompt=none)' : 'through a refresh token';
    out.push(
      '',
      `### Silent renewal ${how}, caches bypassed (ms; ratio to the best peer, lower is better)`,
      '',
      table(
        ['SDK', 'median', 'min', 'max', 'runs'],
        rows.map((r) => [label(r), ...cells(r), String(r.ms.n)]),
      ),
    );
  }
  if (rt.tabs?.length) {
    out.push(
      '',
      `### Requests to the IdP for N tabs × M concurrent token calls after the tokens expired (per round; ratio to the best peer, lower is better; one request per round is the ideal)`,
      '',
    );
    const rows = [];
    for (const mode of ['refresh', 'iframe']) {
      const group = rt.tabs.filter((r) => r.mode === mode);
      // A row whose calls failed made fewer requests for the wrong reason: it is shown, never the best.
      const ok = group.filter((r) => !r.failedCalls);
      const best = bestPeer(ok, (r) => r.requests.median);
      const count = (n) => (Number.isInteger(n) ? String(n) : ms(n));
      for (const r of group) {
        const requests = r.failedCalls
          ? `${count(r.requests.median)} (not comparable: calls failed)`
          : cell(count(r.requests.median), r.requests.median, best);
        const rounds = r.perRound?.map((c) => `${c.token} / ${c.authorize}`).join(', ') ?? '';
        rows.push([
          label(r),
          mode === 'refresh' ? 'refresh token' : 'iframe',
          `${r.tabs} × ${r.calls}`,
          requests,
          count(r.requests.max),
          rounds,
          r.failedCalls ? `${r.failedCalls} of ${r.tabs * r.calls * r.requests.n} (${r.failures.join('; ')})` : '0',
        ]);
      }
    }
    out.push(
      table(
        ['SDK', 'renewal', 'tabs × calls', 'requests (median)', 'max', '/oauth/token / /authorize per round', 'failed calls'],
        rows,
      ),
    );
  }
  if (rt.renewalBreakdown?.length) out.push('', breakdownSection(rt.renewalBreakdown));
  for (const t of reloadTables) {
    const rows = (rt.reload ?? []).filter((r) => r.tables?.includes(t.id));
    if (rows.length) out.push('', reloadSection(t, rows));
  }
  const redirected = (rt.reload ?? []).filter((r) => r.redirect);
  if (redirected.length) out.push('', redirectSection(redirected));
  const missing = [...(rt.errors ?? []), ...(rt.notMeasured ?? [])];
  if (missing.length) {
    out.push('', '### Not measured', '', ...missing.map((e) => `- ${e.sdk ? `${e.sdk} ` : ''}${e.phase}: ${e.error}`));
  }
  return out.join('\n');
}

const pct = (share) => (typeof share === 'number' ? `${Math.round(share * 100)} %` : '—');

/** Where the time of a hidden-iframe renewal goes: one column per SDK, one row per part. */
function breakdownSection(rows) {
  const sdkWork = (r) => renewalParts.filter((p) => p.sdk).reduce((total, p) => total + r.parts[p.id].median, 0);
  const bestWork = bestPeer(rows, sdkWork);
  const bestTotal = bestPeer(rows, (r) => r.total.median);
  const body = renewalParts.map((p) => [p.label, ...rows.map((r) => `${ms(r.parts[p.id].median)} (${pct(r.share[p.id])})`)]);
  body.push(
    [
      "**the SDK's own work** (the three SDK parts; ratio to the best peer)",
      ...rows.map((r) => `${cell(ms(sdkWork(r)), sdkWork(r), bestWork)}, ${pct(r.sdkShare)}`),
    ],
    [
      'whole renewal (median of the totals; ratio to the best peer)',
      ...rows.map((r) => cell(ms(r.total.median), r.total.median, bestTotal)),
    ],
    ['runs', ...rows.map((r) => String(r.runs))],
  );
  const notes = [];
  if (rows.some((r) => r.sdk === 'oidc-client-ts'))
    notes.push(
      'oidc-client-ts answers through its `silent_redirect_uri`: its /authorize is a redirect to the app, and its "message back" includes loading that page and its script.',
    );
  const aborted = rows.filter((r) => r.aborted);
  if (aborted.length)
    notes.push(
      `${aborted.map((r) => `${label(r)} removed the iframe before the browser logged the end of the /authorize body in ${r.aborted} of ${r.runs} runs`).join('; ')}: the response's headers end that part there (the message shows the body had arrived).`,
    );
  return [
    '### Where the time of a silent renewal through the hidden iframe goes (ms, median per part over the timed iframe renewals above; share of the sum of the medians)',
    '',
    table(['part', ...rows.map(label)], body),
    '',
    "The page records the call, the iframe entering the document and the message reaching the window; the /authorize navigation is taken from the browser's network log (an iframe removed before it finishes loading never reaches the page's Resource Timing), and /oauth/token from the page's Resource Timing. " +
      notes.join(' '),
  ].join('\n');
}

/** The report tables of reload rows (`tables` of each configuration in src/runtime.mjs). */
const reloadTables = [
  { id: 'default', title: "each SDK's default settings" },
  {
    id: 'sso',
    title: 'settings recommended for sites sharing an SSO session',
    note:
      "sso-spa: its README's settings for sites sharing an SSO session (`useRefreshTokens`, `useRefreshTokensFallback`, `checkSessionRedirect: true`) with each `cacheLocation`. " +
      '@auth0/auth0-spa-js: its default (memory, iframe; it has no top-level fallback) and what its docs advise where third-party cookies are blocked (refresh tokens in localStorage). ' +
      'oidc-client-ts: its default. A row shown in two tables is one measurement.',
  },
  { id: 'localstorage', title: 'tokens kept in localStorage, other settings default' },
];
const regimeLabel = { allowed: '3p cookies allowed', blocked: '3p cookies blocked' };

/**
 * One reload table, the cookie regimes side by side. A row that did not stay signed in on every
 * reload is shown without a ratio and is never the best peer: it is quick for the wrong reason.
 */
function reloadSection(t, rows) {
  const regimes = [...new Set(rows.map((r) => r.regime))];
  // Ours first, then the peers, each in the order they were measured.
  const keys = [...new Set([...rows.filter((r) => r.ours), ...rows.filter((r) => !r.ours)].map((r) => `${r.sdk}/${r.config}`))];
  const count = (n) => (typeof n === 'number' ? (Number.isInteger(n) ? String(n) : n.toFixed(1)) : '—');
  const cellsOf = {};
  for (const regime of regimes) {
    const group = rows.filter((r) => r.regime === regime);
    const comparable = group.filter((r) => r.signedIn === r.reloads);
    const best = bestPeer(comparable, (r) => r.ms.median);
    const bestRequests = bestPeer(comparable, (r) => r.idpRequests.median);
    for (const r of group) {
      const signedOut = r.signedIn !== r.reloads;
      const requests = `${signedOut ? count(r.idpRequests.median) : cell(count(r.idpRequests.median), r.idpRequests.median, bestRequests)}${
        r.topLevel?.median ? `, ${count(r.topLevel.median)} top-level` : ''
      }`;
      cellsOf[`${r.sdk}/${r.config}/${regime}`] = [
        signedOut
          ? `${ms(r.ms.median)} (${r.signedIn ? 'partly signed out' : 'signed out'})`
          : cell(ms(r.ms.median), r.ms.median, best),
        `${ms(r.ms.min)} – ${ms(r.ms.max)}`,
        requests,
        `${r.signedIn} of ${r.reloads}${r.failures?.length ? ` (${r.failures.join('; ')})` : ''}`,
      ];
    }
  }
  const body = keys.map((key) => {
    const first = rows.find((r) => `${r.sdk}/${r.config}` === key);
    return [
      label(first),
      first.settings ?? first.config,
      ...regimes.flatMap((regime) => cellsOf[`${key}/${regime}`] ?? ['not measured', '', '', '']),
    ];
  });
  const head = [
    'SDK',
    'settings',
    ...regimes.flatMap((regime) => {
      const c = `${regimeLabel[regime] ?? regime}:`;
      return [`${c} ms (median)`, 'min – max', 'IdP requests per reload', 'signed in after reload'];
    }),
  ];
  return [
    `### Reload to a known auth state, signed in, third-party cookies allowed and blocked: ${t.title} (ms from the reload's navigation start, through any top-level redirect; ratio to the best peer that stayed signed in, lower is better)`,
    '',
    table(head, body),
    ...(t.note ? ['', t.note] : []),
  ].join('\n');
}

/** Reloads that went through a top-level redirect: the first page, the round trip, the page that knew the state. */
function redirectSection(rows) {
  const regimeName = (r) => (r.regime === 'blocked' ? 'blocked' : 'allowed');
  return [
    '### Reloads through a top-level `prompt=none` redirect: where the time goes (ms, median over the reloads that took it)',
    '',
    table(
      [
        'SDK',
        'settings',
        '3p cookies',
        'first page: navigation start → the SDK leaves for the IdP',
        'IdP round trip: → callback page request start',
        'callback page: request start → known state',
        'reloads',
      ],
      rows.map((r) => [
        label(r),
        r.settings ?? r.config,
        regimeName(r),
        ms(r.redirect.firstPage.median),
        ms(r.redirect.roundTrip.median),
        ms(r.redirect.lastPage.median),
        `${r.redirect.n} of ${r.reloads}`,
      ]),
    ),
    '',
    "The first page includes loading the app and the SDK's silent iframe check, which cannot see the session where third-party cookies are blocked; the callback page includes loading the app again and the code exchange (/oauth/token).",
  ].join('\n');
}

/** The whole report as markdown. */
export function renderMarkdown(result) {
  const m = result.meta;
  const parts = [
    `Run ${m.date}${m.commit ? ` at commit ${m.commit}` : ''} on ${m.machine} (${m.cpus} cores, ${m.os}), Node ${m.node}${m.chromium ? `, ${m.chromium}` : ''}` +
      `${m.quick ? ', quick mode' : ''}. One run; figures are not averaged across runs.`,
    '',
    sizeSection(result.size),
  ];
  if (result.runtime?.skipped) parts.push('', `Runtime benchmarks not run: ${result.runtime.skipped}`);
  else if (result.runtime) parts.push('', runtimeSection(result.runtime));
  return `${parts.join('\n')}\n`;
}
