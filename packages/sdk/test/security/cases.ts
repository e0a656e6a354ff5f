// The security suite's bookkeeping: every security case (the product's list, plus the findings
// of issue 12: A8, A9, E6, E7, G5), the tests that try it, and their outcome. Each test file
// records its results in results/<file>.json when it finishes; the markdown table in
// docs/security-cases.md is then rebuilt from every file's results, so running the unit tier
// and the browser tier separately still yields one table.
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, it } from 'vitest';

export type Section = 'A' | 'B' | 'C' | 'D' | 'E' | 'F' | 'G' | 'H' | 'I';
export type CaseId = `${Section}${number}`;

interface Row {
  case: string;
  must: string;
  /** Why the row holds in a particular way (or cannot), shown in the table. */
  note?: string;
}

export const SECTIONS: Record<Section, string> = {
  A: '(a) Authorization response',
  B: '(b) Token response and ID token',
  C: '(c) Silent authentication channel',
  D: '(d) Refresh tokens',
  E: '(e) Storage',
  F: '(f) Network faults',
  G: '(g) Redirects and logout',
  H: '(h) Clock skew',
  I: '(i) Sender-constrained tokens (DPoP) and strict ID token signatures',
};

export const ROWS: Record<string, Row> = {
  A1: {
    case: 'state missing, wrong, from another tab, or a prototype key',
    must: 'state_mismatch; no token request; own properties only',
  },
  A2: { case: 'the same callback URL handled twice', must: 'second run fails cleanly, zero token calls' },
  A3: {
    case: 'error=access_denied / login_required with valid state; an error with bad state',
    must: "typed error with the OP's error; bad state changes nothing",
  },
  A4: { case: 'iss ≠ issuer, missing while advertised; discovery issuer ≠ configured', must: 'reject before the code exchange' },
  A5: { case: 'mix-up between two configured providers', must: 'transaction bound to issuer + client + redirect URI' },
  A6: {
    case: "code injection (attacker's code, victim's state)",
    must: 'PKCE makes the exchange fail; typed; nothing stored; no retry',
  },
  A7: { case: 'PKCE hygiene', must: 'S256 only; fresh verifier per request; verifier never in URLs, logs or storage after use' },
  A8: {
    case: 'a callback tab duplicated or restored before it was handled (it carries a copy of sessionStorage)',
    must: 'the transaction is claimed once across tabs: the copy fails with state_mismatch and makes no token request; the first tab keeps working tokens',
    note: "A Web Lock named after a SHA-256 of the state is held through the code exchange; before it is released, a marker (that hash and the time, never the state) goes to localStorage, where a copy handled later finds it. Markers are swept after 15 minutes, the lifetime of a transaction. Only a code that bought tokens is marked: a copy retrying a failed code can at worst make the provider revoke tokens nobody holds. Without `navigator.locks` only the marker guards, so two copies handled at the same instant could both exchange. Measured against the dev IdP before the claim existed: the copy got invalid_grant and the provider revoked the first tab's grant (its next refresh: invalid_grant).",
  },
  A9: {
    case: 'a repeated response parameter (state, code, iss, error, …) in the query, the fragment or a posted response',
    must: 'invalid_response; URL cleaned; every named transaction consumed; no token request',
    note: 'A `web_message` response is a JSON object and cannot repeat a name; the silent-callback page posts a repeated parameter as an array, which is refused the same way. A posted response whose first `state` is not the one sent fails earlier, with state_mismatch (C2).',
  },
  B1: { case: 'iss ≠ issuer', must: 'reject' },
  B2: { case: 'aud missing or without the client id', must: 'reject' },
  B3: { case: 'extra untrusted audience; azp ≠ client id', must: 'reject' },
  B4: { case: 'exp past; exp/iat missing or not numbers; iat far in the future', must: 'reject' },
  B5: { case: 'nonce missing, wrong, reused', must: 'reject; nonce single-use' },
  B6: { case: 'sub missing, empty, not a string, over 255 chars', must: 'reject' },
  B7: { case: 'alg none; HS256 for a public client; alg not allowed', must: 'reject (none only by explicit opt-in)' },
  B8: {
    case: 'bad signature',
    must: 'reject where verified; else say so and still check B1–B6',
    note: 'By default the SDK relies on the TLS allowance of OIDC Core §3.1.3.7 step 6 (the ID token comes straight from the token endpoint over TLS) and does not verify signatures; documented on `validateIdToken`. The tests show a forged signature still fails every claim check. With `verifyIdTokenSignature: true` it does verify: I9.',
  },
  B9: {
    case: 'missing kid; unknown kid after rotation; unusable key in JWKS',
    must: 'refetch JWKS once, then reject; skip unusable keys',
    note: 'Not applicable under the TLS allowance: the SDK never fetches the JWKS (tested: zero JWKS requests, tokens without or with an unknown kid are judged on their claims only). With `verifyIdTokenSignature: true`: I9 and I10.',
  },
  B10: { case: 'max_age sent and auth_time missing or too old', must: 'reject' },
  B11: {
    case: 'malformed JWT; token response without access_token, bad expires_in, no id_token',
    must: 'typed error, no crash, no hang, nothing stored',
  },
  C1: {
    case: 'forged postMessage from another origin; malformed data',
    must: 'ignore and keep waiting; the listener never throws',
  },
  C2: { case: 'right origin but not our iframe; wrong state in the message', must: 'ignore; state_mismatch' },
  C3: { case: 'the callback page posting back', must: "explicit targetOrigin, never '*'" },
  C4: { case: 'the OP never answers (blocked, hung)', must: 'timeout at the limit; iframe, listener and lock released' },
  C5: { case: '100 silent renewals failing with login_required', must: 'zero iframes and listeners left; no memory growth' },
  C6: {
    case: 'login_required, consent_required, interaction_required',
    must: 'typed error; never an automatic interactive redirect',
  },
  C7: { case: 'silent auth returns a different sub', must: "old user's tokens purged in every tab; user-changed event" },
  D1: { case: 'rotation: a new refresh token arrives / none arrives', must: 'replace atomically / keep the old one' },
  D2: { case: 'invalid_grant', must: 'drop the refresh token and its tokens; typed; at most one iframe fallback; no loop' },
  D3: {
    case: 'N tabs × M calls with an expired access token',
    must: 'exactly one refresh request; never a second use of a rotated token',
    note: 'Holds through the Web Locks API: one tab refreshes under the renewal lock, the others wait, then read the rotated result. localStorage is not consistent across processes (measured: a tab taking the lock right after another tab wrote read the old value in 10 of 30 rounds), so a second lock named after the refresh token (its hash) is held for a second after it is used; a tab that finds it taken waits for the new tokens instead of resending it. Where `navigator.locks` is missing the SDK runs without cross-tab locks and this race is not prevented.',
  },
  D4: {
    case: 'the response is lost after the OP rotated',
    must: 'never resend the same refresh token blindly; typed network error',
    note: 'The SDK sends a refresh once per call and keeps the token (the session) on `network`/`timeout`; the caller decides whether to try again. Observed: when the connection drops before any byte of the answer, Chromium itself resends the POST once on a reused keep-alive connection, which a provider with strict reuse detection treats as reuse (the grant is revoked, the next refresh is `invalid_grant`). No fetch option prevents it; providers should allow a short reuse interval.',
  },
  D5: { case: 'refreshed ID token with a different iss/sub/aud/azp', must: 'reject; end the session' },
  D6: { case: 'no refresh token issued', must: 'missing_refresh_token or the iframe; never refresh_token=undefined' },
  E1: { case: 'corrupted JSON in cache or transaction entries', must: 'a miss; the key deleted; start-up never throws' },
  E2: { case: 'schema-invalid or foreign entries', must: 'ignored' },
  E3: { case: 'QuotaExceededError on write', must: 'fall back to memory; tokens still served' },
  E4: { case: 'storage disabled (SecurityError)', must: 'memory cache; redirect login fails fast with a typed error' },
  E5: {
    case: 'after callback or logout',
    must: 'no verifier, nonce, state or token left; tokens never in cookies or URLs',
    note: 'The one token that goes in a URL is the ID token as `id_token_hint` on the logout request, which RP-initiated logout defines (G3).',
  },
  E6: {
    case: 'entries planted in shared storage: another user, a made-up or foreign ID token, claims that disagree with it, expiries centuries away, a superset-scope key',
    must: "checked against the entry's own ID token (iss, aud = this client, sub) and its lifetime; failing entries deleted and a miss; a read never rewrites an entry",
    note: "Expiries may not pass the ID token lifetime after receipt nor 24 hours (`MAX_TOKEN_LIFETIME_MS`; longer lifetimes are cut to it when saved, so the token is renewed sooner). The user entry's claims must be exactly its raw ID token's. These checks bound what a planted entry can claim; they cannot authenticate it: the SDK holds no key, and whoever can write the origin's storage can also run script there.",
  },
  E7: {
    case: "the SDK's own keys holding bad JSON or a non-object (transactions, user entry)",
    must: 'deleted when read (a callback, even without state, rewrites the transactions); keys of others untouched',
  },
  F1: { case: 'token endpoint timeout or abort', must: 'timeout; nothing stored; a code exchange is never retried' },
  F2: {
    case: '5xx, HTML body, CORS failure; discovery failure',
    must: 'typed error with status; backoff for discovery; fail closed; no logout on 5xx',
  },
  F3: { case: 'offline', must: 'cached token served; otherwise network, not login_required; session kept' },
  G1: {
    case: 'returnTo / appState.targetUrl set to https://evil, //evil, /\\evil, javascript:, encoded',
    must: 'navigating helpers accept same-origin relative paths only',
  },
  G2: { case: "redirect_uri or post_logout_redirect_uri from the page's query", must: 'never: both come from configuration' },
  G3: {
    case: 'logout with several tabs, or with no ID token',
    must: "cleared in every tab before navigating; id_token_hint only this issuer's, else client_id",
    note: 'A shared (localStorage) cache is empty for every tab before the navigation starts. Per-tab memory caches cannot be reached synchronously: the sign-out broadcast is posted before navigating and each tab clears itself on receipt (tested in Chromium with three tabs).',
  },
  G4: { case: 'return from logout with a missing or foreign state', must: 'local logout still complete; no loop' },
  G5: {
    case: 'a target that passes as a path but normalises to //host (/.//evil, /a/..//evil, /%2e%2e//evil) or starts with an encoded slash',
    must: 'the normalised result is checked too: the fallback; the default React callback never throws after a successful login',
  },
  H1: {
    case: 'client clock off within the leeway / by hours',
    must: 'accept / one typed error with a skew hint, no renewal loop',
  },
  H2: { case: 'sleep and resume, clock jumps', must: 'expiry from expires_in and receipt time; no renewal storm' },
  I1: {
    case: 'sign-in with `useDpop`',
    must: "the code bound to the key (`dpop_jkt`); the code exchange proven by that key; `token_type` DPoP stored; the access token's `cnf.jkt` is the key's thumbprint",
  },
  I2: {
    case: 'a provider that demands its DPoP nonce (`use_dpop_nonce`, as Okta does)',
    must: 'one retry with the nonce per challenge, never more; the code not spent by the challenge; sign-in and refresh succeed',
  },
  I3: {
    case: 'refresh with a DPoP-bound refresh token; the refresh token copied out of storage',
    must: 'renewed with a proof by the same key (same `cnf.jkt`); the copy, without the key (no proof, or a proof by another key), refused by the provider',
  },
  I4: {
    case: 'API call through `createFetcher`; the same token without a proof; an API that demands its nonce',
    must: '200 with a fresh proof (`htm`, `htu`, `ath`); 401 `invalid_dpop_proof` without one; exactly one retry on `use_dpop_nonce`, the nonce kept for the next call',
  },
  I5: { case: 'a proof captured off the wire and sent again', must: 'refused by the API (401 `invalid_dpop_proof`)' },
  I6: {
    case: 'the access token copied out of the page and sent from elsewhere (Node)',
    must: 'refused by the API as Bearer, as DPoP without a proof, and with a proof by another key (401)',
  },
  I7: {
    case: 'the DPoP key: read by script; several tabs; two tabs creating it at once',
    must: 'the private key non-extractable (export throws); one key for every tab of the site, whose refreshes it proves',
    note: 'The key pair lives in IndexedDB, which keeps CryptoKeys by structured clone without their private half ever becoming readable. Script running in the page can still use the key while it runs there: DPoP stops tokens that leave the page, not script inside it.',
  },
  I8: { case: 'logout', must: 'the key deleted; the next sign-in is bound to a new one' },
  I9: {
    case: "`verifyIdTokenSignature`: an ID token signed by another key, under the provider's `kid` or an unknown one",
    must: 'invalid_signature; nothing stored; the JWKS fetched again once for an unknown kid, never more',
  },
  I10: {
    case: '`verifyIdTokenSignature` after the provider rotated its signing key (a new `kid`), also when its JWKS may be cached by the browser',
    must: 'the JWKS fetched again once, the new ID token accepted; no further fetch while the kid is known',
  },
};

export type Level = 'unit' | 'chromium';
interface Result {
  ids: string[];
  title: string;
  level: Level;
  held: boolean;
}

interface Figure {
  label: string;
  value: string;
}
const figures: Figure[] = [];

/** Records a measured figure (race counts, leak sizes) for the table's "Measured" section. */
export function figure(label: string, value: string): void {
  figures.push({ label, value });
}

const here = dirname(fileURLToPath(import.meta.url));
const resultsDir = join(here, 'results');
const docsFile = join(here, '../../../../docs/security-cases.md');

/**
 * Declares the file's level and writes its results when the file is done. Returns the
 * `securityCase` function that registers one test trying one or more rows.
 */
export function securitySuite(file: string, level: Level) {
  const results: Result[] = [];
  afterAll(() => {
    mkdirSync(resultsDir, { recursive: true });
    const target = join(resultsDir, `${basename(file).replace(/\.test\.ts$/, '')}.json`);
    // Rewritten only when a row's outcome changed: the figures (heap sizes, seconds, request
    // counts) vary from run to run, and a test run must not leave the working tree dirty.
    if (!sameOutcomes(target, results)) writeIfChanged(target, `${JSON.stringify({ tests: results, figures }, null, 1)}\n`);
    writeReport();
  });
  return function securityCase(ids: CaseId | CaseId[], title: string, test: () => Promise<void>, timeout?: number): void {
    const list = Array.isArray(ids) ? ids : [ids];
    for (const id of list) if (!ROWS[id]) throw new Error(`unknown case ${id}`);
    it(
      `${list.join(' ')}: ${title}`,
      async () => {
        const result: Result = { ids: list, title, level, held: false };
        results.push(result);
        await test();
        result.held = true;
      },
      timeout,
    );
  };
}

/** Rebuilds docs/security-cases.md from every results file. */
export function writeReport(): void {
  const all: Result[] = [];
  const measured: Figure[] = [];
  for (const name of readdirSync(resultsDir)
    .filter((n) => n.endsWith('.json'))
    .sort()) {
    const file = JSON.parse(readFileSync(join(resultsDir, name), 'utf8')) as { tests: Result[]; figures: Figure[] };
    all.push(...file.tests);
    measured.push(...file.figures);
  }
  const lines = [
    '# Security and fault cases: tried and held',
    '',
    'Generated by the security suite (`packages/sdk/test/security`); do not edit by hand. Every security',
    'and fault case the SDK must survive with the tests that try it, at the level where the row is real: `unit`',
    '(the SDK against a fake provider and platform seam) or `chromium` (the built SDK in Chromium against',
    'the dev IdP, misbehaving through its `faults` hook). A row is held when every test trying it passed.',
    'Each test also checks the invariants: nothing stored, transaction consumed, URL cleaned, no token in',
    'the error, no iframe, listener, lock or timer left behind.',
    '',
    "How the provider and the page misbehave: `FaultSwitch` (browser.ts) sits in the dev IdP's `faults`",
    'hook and can hang or delay any request, answer it itself (5xx, HTML, error redirects, pages that',
    'post forged `web_message` answers), rewrite `Location` headers (`iss`), and rewrite token responses',
    "with ID tokens re-signed by the IdP's own key, so only the claim is wrong. `hostile-frame.html`,",
    "served on `evil.localhost` and on the IdP's own origin, floods the app with forged and malformed",
    "messages or frames the app's callback page. A probe injected in every page counts iframes, `message`",
    'listeners, pending timers and intervals, Web Locks, uncaught errors, and records the address bar at',
    'each token request; every console line is checked for tokens.',
    '',
    'Regenerate: `npx vitest run --project unit packages/sdk/test/security` and',
    '`npx vitest run --project browser packages/sdk/test/security`.',
    '',
  ];
  const totals = { tried: 0, held: 0 };
  for (const [section, heading] of Object.entries(SECTIONS)) {
    lines.push(`## ${heading}`, '', '| # | case | must | tests | levels | held | notes |', '|---|---|---|---|---|---|---|');
    for (const [id, row] of Object.entries(ROWS)) {
      if (!id.startsWith(section)) continue;
      const tests = all.filter((r) => r.ids.includes(id));
      const levels = [...new Set(tests.map((r) => r.level))].sort().join(', ') || '—';
      const held = tests.length > 0 && tests.every((r) => r.held);
      const status =
        tests.length === 0 ? 'not tried' : held ? 'held' : `**not held** (${tests.filter((r) => !r.held).length} failing)`;
      totals.tried += tests.length > 0 ? 1 : 0;
      totals.held += held ? 1 : 0;
      const cell = (text: string) => text.replace(/\|/g, '\\|');
      lines.push(
        `| ${id} | ${cell(row.case)} | ${cell(row.must)} | ${tests.length} | ${levels} | ${status} | ${cell(row.note ?? '')} |`,
      );
    }
    lines.push('');
  }
  lines.splice(
    lines.indexOf(`## ${SECTIONS.A}`),
    0,
    `**${totals.tried} of ${Object.keys(ROWS).length} rows tried, ${totals.held} held; ${all.length} tests, ${all.filter((r) => r.held).length} passed.**`,
    '',
  );
  if (measured.length > 0) {
    lines.push('## Measured', '');
    for (const f of measured) lines.push(`- ${f.label}: ${f.value}`);
    lines.push('');
  }
  lines.push('## Tests', '');
  for (const [id] of Object.entries(ROWS)) {
    for (const r of all.filter((t) => t.ids[0] === id)) {
      lines.push(`- ${r.held ? 'held' : '**NOT HELD**'} · ${r.level} · ${r.ids.join(' ')}: ${r.title}`);
    }
  }
  lines.push('');
  mkdirSync(dirname(docsFile), { recursive: true });
  writeIfChanged(docsFile, lines.join('\n'));
}

/** Whether `file` already records these outcomes (ids, title, level, held), whatever its figures. */
function sameOutcomes(file: string, results: Result[]): boolean {
  try {
    const kept = (JSON.parse(readFileSync(file, 'utf8')) as { tests: Result[] }).tests;
    return JSON.stringify(kept) === JSON.stringify(results);
  } catch {
    return false;
  }
}

/** Writes `content` atomically, and only when it differs from what `file` holds. */
function writeIfChanged(file: string, content: string): void {
  try {
    if (readFileSync(file, 'utf8') === content) return;
  } catch {
    // No such file yet.
  }
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, content);
  renameSync(tmp, file);
}
