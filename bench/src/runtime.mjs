// The runtime benchmarks, in Chromium against dev IdPs: a "long" one on idp.localhost (2-minute
// tokens: cache hits, renewal latency, reload) and, for the tabs test, short-lived ones whose
// tokens go stale, in the SDK's own view, 4 seconds after they are issued. auth0-spa-js's
// getTokenSilently treats a token as stale 60 s before it expires (the `60` that
// `_getEntryFromCache` passes to its cache manager), so its short IdP issues 64-second tokens.
// Every SDK page is a separate site (`<name>.localhost`), cross-site from the IdP; third-party
// cookies are allowed so the hidden-iframe renewals can reach the IdP's session cookie.
// Everything listens on 127.0.0.1 on ephemeral ports and is stopped at the end, also on failure.
import { rmSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, listenOnLoopback } from '@sso-spa/testkit';
import { build } from 'esbuild';
import { renewalBreakdown, summarizeBreakdown } from './breakdown.mjs';
import { summarize } from './stats.mjs';

const browserDir = fileURLToPath(new URL('../browser/', import.meta.url));

/** The SDKs driven in the browser, and what each one can be asked. */
export const runtimeSdks = [
  { id: 'sso-spa', label: 'sso-spa', ours: true, token: true, staleMarginSeconds: 0 },
  { id: 'auth0-spa-js', label: '@auth0/auth0-spa-js', ours: false, token: true, staleMarginSeconds: 60 },
  { id: 'oidc-client-ts', label: 'oidc-client-ts', ours: false, token: false, staleMarginSeconds: 0 },
];

export const settings = {
  full: {
    throughputRounds: 10,
    throughputMs: 300,
    maxOps: 200_000,
    renewalRuns: 21,
    reloads: 15,
    tabs: 3,
    calls: 5,
    tabRounds: 3,
  },
  quick: { throughputRounds: 3, throughputMs: 100, maxOps: 50_000, renewalRuns: 5, reloads: 3, tabs: 2, calls: 3, tabRounds: 1 },
};

/** Seconds between issue and the moment the SDK sees its tokens as stale, in the tabs test. */
const SHORT_TOKEN_SECONDS = 4;
const LONG_TOKEN_SECONDS = 120;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (...args) => console.error('[bench]', ...args);

/** Builds one IIFE per SDK adapter; an SDK whose bundle fails (e.g. not built yet) is reported, not fatal. */
async function buildPages(outdir, sdks) {
  const built = {};
  for (const sdk of sdks) {
    try {
      await build({
        entryPoints: [join(browserDir, `${sdk.id}.ts`)],
        outfile: join(outdir, `${sdk.id}.js`),
        bundle: true,
        minify: true,
        format: 'iife',
        platform: 'browser',
        target: 'es2022',
        define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
        logLevel: 'silent',
      });
      built[sdk.id] = { file: join(outdir, `${sdk.id}.js`) };
    } catch (error) {
      built[sdk.id] = { error: error?.errors?.[0]?.text ?? String(error?.message ?? error) };
    }
  }
  return built;
}

/**
 * The reload rows: one site per SDK configuration, each measured once in each cookie regime.
 * `batch`: the configurations signed in together and reloaded in turn (A B C A B C …), so that a
 * batch ends well within the 2-minute tokens; `tables`: the report tables the row appears in;
 * `settings`: how the report describes it. sso-spa's recommended settings for sites sharing an
 * SSO session are its README's (refresh tokens, the iframe as fallback, `checkSessionRedirect:
 * true`); auth0-spa-js's docs recommend refresh tokens in localStorage where third-party
 * cookies are blocked; oidc-client-ts keeps its user in sessionStorage by default.
 */
export const reloadConfigs = [
  {
    id: 'default',
    sdk: 'sso-spa',
    batch: 'default',
    tables: ['default'],
    cache: 'default',
    settings: "defaults: memory, iframe, `checkSessionRedirect: 'returning'`",
  },
  {
    id: 'sso-memory',
    sdk: 'sso-spa',
    batch: 'sso',
    tables: ['sso'],
    cache: 'memory',
    refreshTokens: true,
    refreshFallback: true,
    checkSessionRedirect: true,
    settings: 'recommended for SSO, memory',
  },
  {
    id: 'sso-sessionstorage',
    sdk: 'sso-spa',
    batch: 'sso',
    tables: ['sso'],
    cache: 'sessionstorage',
    refreshTokens: true,
    refreshFallback: true,
    checkSessionRedirect: true,
    settings: "recommended for SSO, `cacheLocation: 'sessionstorage'`",
  },
  {
    id: 'sso-localstorage',
    sdk: 'sso-spa',
    batch: 'sso',
    tables: ['sso'],
    cache: 'localstorage',
    refreshTokens: true,
    refreshFallback: true,
    checkSessionRedirect: true,
    settings: "recommended for SSO, `cacheLocation: 'localstorage'`",
  },
  {
    id: 'localstorage',
    sdk: 'sso-spa',
    batch: 'localstorage',
    tables: ['localstorage'],
    cache: 'localstorage',
    settings: "`cacheLocation: 'localstorage'`",
  },
  {
    id: 'default',
    sdk: 'auth0-spa-js',
    batch: 'default',
    tables: ['default', 'sso'],
    cache: 'default',
    settings: 'defaults: memory, iframe',
  },
  {
    id: 'refresh-localstorage',
    sdk: 'auth0-spa-js',
    batch: 'sso',
    tables: ['sso'],
    cache: 'localstorage',
    refreshTokens: true,
    settings: "`useRefreshTokens`, `cacheLocation: 'localstorage'`",
  },
  {
    id: 'localstorage',
    sdk: 'auth0-spa-js',
    batch: 'localstorage',
    tables: ['localstorage'],
    cache: 'localstorage',
    settings: "`cacheLocation: 'localstorage'`",
  },
  {
    id: 'default',
    sdk: 'oidc-client-ts',
    batch: 'default',
    tables: ['default', 'sso'],
    cache: 'default',
    settings: 'defaults: sessionStorage user store',
  },
  {
    id: 'localstorage',
    sdk: 'oidc-client-ts',
    batch: 'localstorage',
    tables: ['localstorage'],
    cache: 'localstorage',
    settings: 'localStorage user store',
  },
];
const reloadHost = (config) => `${config.sdk}-reload-${config.id}.localhost`;

/** What the design leaves out, with the reason; the report lists these under "Not measured". */
export const notMeasured = [
  {
    phase: 'cache hits, renewals, renewal breakdown and tabs with third-party cookies blocked',
    error:
      "not run: every SDK's hidden iframe answers login_required there, so the iframe rows cannot succeed, and the refresh-token rows do not depend on the regime (the token endpoint is called with CORS and no cookie)",
  },
  {
    sdk: '@auth0/auth0-spa-js',
    phase: 'reload with tokens in sessionStorage',
    error: 'it has no such cacheLocation (memory or localstorage only)',
  },
  {
    phase: 'renewal breakdown through a refresh token',
    error:
      "not broken down: it is one token request, whose time is in the refresh-token table (auth0-spa-js also makes it from a Web Worker, outside the page's Resource Timing)",
  },
];

/** The cookie regimes of the reload rows; the other phases run with third-party cookies allowed. */
export const cookieRegimes = [
  { id: 'allowed', thirdPartyCookies: true },
  { id: 'blocked', thirdPartyCookies: false },
];

/** Every site the run uses: which SDK, which IdP, which client configuration. */
function siteList(sdks) {
  const sites = [];
  for (const sdk of sdks) {
    sites.push({
      host: `${sdk.id}.localhost`,
      sdk: sdk.id,
      idp: 'long',
      refreshTokens: true,
      cache: 'memory',
      iframeClient: true,
    });
    for (const config of reloadConfigs.filter((c) => c.sdk === sdk.id)) {
      sites.push({
        host: reloadHost(config),
        sdk: sdk.id,
        idp: 'long',
        refreshTokens: Boolean(config.refreshTokens),
        refreshFallback: config.refreshFallback,
        checkSessionRedirect: config.checkSessionRedirect,
        cache: config.cache,
        iframeClient: false,
      });
    }
    if (sdk.token) {
      for (const mode of ['refresh', 'iframe']) {
        sites.push({
          host: `${sdk.id}-tabs-${mode}.localhost`,
          sdk: sdk.id,
          idp: `short${sdk.staleMarginSeconds + SHORT_TOKEN_SECONDS}`,
          refreshTokens: mode === 'refresh',
          cache: 'localstorage',
          iframeClient: false,
          tabsMode: mode,
        });
      }
    }
  }
  return sites;
}

const page = (config, bundle) => `<!doctype html>
<meta charset="utf-8">
<title>bench ${config.sdk}</title>
<script>window.benchConfig = ${JSON.stringify(config).replace(/</g, '\\u003c')};</script>
<script src="/${bundle}"></script>
<p>bench page</p>`;

/** One loopback server for every site; the Host header picks the site. */
function sitesHandler(sites, built, idps) {
  return async (req, res) => {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    const site = sites.find((s) => s.host === host);
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (!site || !built[site.sdk]?.file) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('unknown site');
      return;
    }
    if (path === `/${site.sdk}.js`) {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' });
      res.end(await readFile(built[site.sdk].file));
      return;
    }
    const config = {
      sdk: site.sdk,
      issuer: idps[site.idp].issuer,
      clientId: clientIdOf(site),
      refreshTokens: site.refreshTokens,
      cache: site.cache === 'default' ? undefined : site.cache,
      iframeClient: site.iframeClient,
      ...(site.refreshFallback === undefined ? {} : { refreshFallback: site.refreshFallback }),
      ...(site.checkSessionRedirect === undefined ? {} : { checkSessionRedirect: site.checkSessionRedirect }),
    };
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(page(config, `${site.sdk}.js`));
  };
}

const clientIdOf = (site) => `bench-${site.host.replace(/\.localhost$/, '')}`;

async function startIdps(createDevIdp, sites, sitesPort) {
  const clientsFor = (which) =>
    sites
      .filter((s) => s.idp === which)
      .map((s) => {
        const origin = `http://${s.host}:${sitesPort}`;
        return {
          clientId: clientIdOf(s),
          redirectUris: [`${origin}/callback`, `${origin}/silent-callback`],
          postLogoutRedirectUris: [`${origin}/`],
          webOrigins: [origin],
        };
      });
  const common = { port: 0, sessionIdleSeconds: 600, clockToleranceSeconds: 0 };
  const idps = {};
  for (const name of new Set(sites.map((s) => s.idp))) {
    const seconds = name === 'long' ? LONG_TOKEN_SECONDS : Number(name.slice('short'.length));
    // Cookies ignore ports: each IdP gets its own host name, or their session cookies would clobber each other.
    const hostname = name === 'long' ? 'idp.localhost' : `idp-${seconds}s.localhost`;
    idps[name] = await createDevIdp({
      ...common,
      hostname,
      idTokenSeconds: seconds,
      accessTokenSeconds: seconds,
      clients: clientsFor(name),
    });
  }
  return idps;
}

/** Waits until the page knows its auth state; throws with the page's error if start-up failed. */
async function authState(tab, timeout = 20_000) {
  const handle = await tab.waitForFunction(() => window.benchState?.knownAt !== undefined && window.benchState, undefined, {
    timeout,
    polling: 20,
  });
  return handle.jsonValue();
}

/** Signs in through the IdP's form (when it shows one) and waits for the app to be signed in. */
async function signIn(tab, origin) {
  const state = await authState(tab);
  if (state.signedIn) return;
  await tab.evaluate(() => {
    void window.bench.login();
  });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    await tab.waitForLoadState('domcontentloaded').catch(() => {});
    const url = new URL(tab.url());
    if (url.origin === origin) {
      const now = await tab.evaluate(() => window.benchState).catch(() => undefined);
      if (now?.signedIn) return;
      if (now?.error) throw new Error(`sign-in failed on ${origin}: ${now.error}`);
    } else if (
      await tab
        .locator('input[name="login"]')
        .count()
        .catch(() => 0)
    ) {
      await tab.fill('input[name="login"]', 'alice@example.com');
      await tab.fill('input[name="password"]', 'wonderland');
      await Promise.all([
        tab.waitForURL((u) => u.href !== url.href, { timeout: 10_000 }).catch(() => {}),
        tab.click('button[type="submit"]'),
      ]);
      continue;
    } else if (
      await tab
        .locator('button[type="submit"]')
        .count()
        .catch(() => 0)
    ) {
      // A consent or confirmation step, where the dev IdP shows one.
      await Promise.all([
        tab.waitForURL((u) => u.href !== url.href, { timeout: 10_000 }).catch(() => {}),
        tab.click('button[type="submit"]'),
      ]);
      continue;
    }
    await sleep(100);
  }
  throw new Error(`sign-in did not complete on ${origin} (now at ${new URL(tab.url()).origin}${new URL(tab.url()).pathname})`);
}

/** Every in-page operation is bounded: an SDK that never answers fails its row instead of hanging the run. */
const STEP_TIMEOUT_MS = 30_000;
function inPage(tab, fn, arg) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${STEP_TIMEOUT_MS / 1000} s`)), STEP_TIMEOUT_MS);
  });
  return Promise.race([tab.evaluate(fn, arg), timeout]).finally(() => clearTimeout(timer));
}

const errorText = (error) =>
  String(error?.message ?? error)
    .split('\n')[0]
    .slice(0, 300);

/**
 * Runs every runtime phase. `createDevIdp` is passed in (the dev IdP package may not be built yet).
 * Returns the figures plus an `errors` list of what could not be measured and why.
 */
export async function runRuntime({ createDevIdp, quick }) {
  // BENCH_SETTINGS='{"tabRounds":10}' overrides single settings, e.g. to stress one phase.
  const s = { ...(quick ? settings.quick : settings.full), ...JSON.parse(process.env.BENCH_SETTINGS || '{}') };
  const errors = [];
  const cleanup = [];
  /** Synchronous removals that also run if the process exits before the async cleanup ends. */
  const exitHooks = [];
  let stopped;
  const stopAll = () => {
    stopped ??= (async () => {
      for (const stop of cleanup.reverse()) {
        await Promise.resolve()
          .then(stop)
          .catch((error) => log('cleanup failed:', errorText(error)));
      }
    })();
    return stopped;
  };
  // Ctrl-C or a CI timeout still stops the browser, the IdPs and the site server, and removes the profile.
  const onSignal = (signal) => {
    log(`${signal}: stopping`);
    void stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const result = {
    settings: s,
    tokenSeconds: { long: LONG_TOKEN_SECONDS, staleAfter: SHORT_TOKEN_SECONDS },
    errors,
    notMeasured,
  };
  try {
    const outdir = await mkdtemp(join(tmpdir(), 'sso-spa-bench-'));
    cleanup.push(() => rm(outdir, { recursive: true, force: true }));
    const removeOutdir = () => rmSync(outdir, { recursive: true, force: true });
    process.on('exit', removeOutdir);
    exitHooks.push(removeOutdir);
    const built = await buildPages(outdir, runtimeSdks);
    for (const [id, b] of Object.entries(built)) if (b.error) errors.push({ sdk: id, phase: 'build', error: b.error });
    const sdks = runtimeSdks.filter((sdk) => built[sdk.id].file);

    const sites = siteList(sdks);
    const idps = {};
    const server = await listenOnLoopback('bench.localhost', sitesHandler(sites, built, idps));
    cleanup.push(() => server.close());
    const origin = (host) => `http://${host}:${server.port}`;
    Object.assign(idps, await startIdps(createDevIdp, sites, server.port));
    for (const idp of Object.values(idps)) cleanup.push(() => idp.close());

    // One browser per cookie regime, one at a time: the allowed regime runs every phase, the
    // blocked one the reload rows.
    const launch = async (regime) => {
      const browser = await launchChromium({ thirdPartyCookies: regime.thirdPartyCookies });
      cleanup.push(() => browser.close());
      // On Ctrl-C, Playwright's own SIGINT handler closes Chromium and exits the process before an
      // async cleanup can finish: remove the profile folder synchronously on exit as well.
      const removeProfile = () => rmSync(browser.profileDir, { recursive: true, force: true });
      process.on('exit', removeProfile);
      exitHooks.push(removeProfile);
      if (process.env.BENCH_DEBUG) {
        const { context } = browser;
        log(`chromium profile (third-party cookies ${regime.id})`, browser.profileDir);
        context.on('requestfailed', (r) => log('request failed', r.method(), r.url().split('?')[0], r.failure()?.errorText));
        context.on(
          'response',
          (r) => r.status() >= 400 && log('response', r.status(), r.request().method(), r.url().split('?')[0]),
        );
        context.on('page', (p) => p.on('console', (m) => m.type() !== 'log' && log('console', m.type(), m.text())));
      }
      return browser;
    };
    const phases = new Set(s.phases ?? ['throughput', 'renewal', 'reload', 'tabs']);
    const longIdp = new URL(idps.long.issuer).origin;
    result.reload = [];
    for (const regime of cookieRegimes) {
      const browser = await launch(regime);
      const { context } = browser;
      if (!result.userAgent) {
        const probe = await context.newPage();
        result.userAgent = await probe.evaluate(() => navigator.userAgent);
        await probe.close();
      }
      if (regime.thirdPartyCookies && (phases.has('throughput') || phases.has('renewal'))) {
        // Sign in on every site that needs a session of its own, one SDK at a time.
        const mainTabs = {};
        for (const sdk of sdks) {
          try {
            const tab = await context.newPage();
            await tab.goto(origin(`${sdk.id}.localhost`));
            await signIn(tab, origin(`${sdk.id}.localhost`));
            mainTabs[sdk.id] = tab;
          } catch (error) {
            errors.push({ sdk: sdk.id, phase: 'sign-in', error: errorText(error) });
          }
        }
        const ready = sdks.filter((sdk) => mainTabs[sdk.id]);
        if (phases.has('throughput')) result.throughput = await throughputPhase(ready, mainTabs, s, errors);
        if (phases.has('renewal')) {
          const renewal = await renewalPhase(context, ready, mainTabs, longIdp, s, errors);
          result.renewal = renewal.rows;
          result.renewalBreakdown = renewal.breakdown;
        }
        for (const tab of Object.values(mainTabs)) await tab.close();
      }
      if (phases.has('reload')) result.reload.push(...(await reloadPhase(context, regime, sdks, origin, longIdp, s, errors)));
      if (regime.thirdPartyCookies && phases.has('tabs')) result.tabs = await tabsPhase(context, sdks, origin, idps, s, errors);
      await browser.close();
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await stopAll();
    for (const hook of exitHooks) process.off('exit', hook);
  }
  return result;
}

/** Cache-hit getTokenSilently calls per second, sampled in alternating rounds (A B A B …). */
async function throughputPhase(sdks, tabs, s, errors) {
  const candidates = sdks.filter((sdk) => sdk.token);
  const samples = Object.fromEntries(candidates.map((sdk) => [sdk.id, []]));
  log('throughput');
  for (let round = 0; round < s.throughputRounds; round++) {
    const order = round % 2 ? [...candidates].reverse() : candidates;
    for (const sdk of order) {
      if (!samples[sdk.id]) continue;
      try {
        const { ops, ms } = await inPage(tabs[sdk.id], ([d, m]) => window.bench.throughput(d, m), [s.throughputMs, s.maxOps]);
        samples[sdk.id].push((ops / ms) * 1000);
      } catch (error) {
        errors.push({ sdk: sdk.id, phase: 'throughput', error: errorText(error) });
        delete samples[sdk.id];
      }
    }
  }
  return candidates
    .filter((sdk) => samples[sdk.id])
    .map((sdk) => ({ sdk: sdk.id, ours: sdk.ours, opsPerSecond: summarize(samples[sdk.id]) }));
}

/**
 * Renewal latency with caches bypassed, iframe and refresh token, interleaved across SDKs. The
 * iframe renewals are also broken down (src/breakdown.mjs): the page reports its own marks, and
 * the IdP requests made during each call are taken from the browser's network log.
 */
async function renewalPhase(context, sdks, tabs, idpOrigin, s, errors) {
  const rows = [];
  const breakdown = [];
  let seen;
  const record = (aborted) => (request) => {
    if (!seen) return;
    const url = new URL(request.url());
    if (url.origin !== idpOrigin) return;
    const timing = request.timing();
    seen.push({
      path: url.pathname,
      method: request.method(),
      navigation: request.isNavigationRequest(),
      startTime: timing.startTime,
      // An SDK that removes its iframe as soon as the message arrives can abort the navigation
      // before the browser logs the end of the body (which the message shows had arrived): the
      // end is then the response headers' arrival.
      responseEnd: aborted ? timing.responseStart : timing.responseEnd,
      ...(aborted ? { aborted: true } : {}),
    });
  };
  const onFinished = record(false);
  const onFailed = record(true);
  context.on('requestfinished', onFinished);
  context.on('requestfailed', onFailed);
  try {
    for (const via of ['iframe', 'refresh']) {
      const samples = Object.fromEntries(sdks.map((sdk) => [sdk.id, []]));
      const parts = Object.fromEntries(sdks.map((sdk) => [sdk.id, []]));
      log(`renewal via ${via}`);
      // Two untimed warm-up renewals per SDK (discovery, JWKS, first iframe), then the timed runs.
      for (let run = -2; run < s.renewalRuns; run++) {
        const order = run % 2 ? [...sdks].reverse() : sdks;
        for (const sdk of order) {
          if (!samples[sdk.id]) continue;
          try {
            seen = [];
            const timeline = await inPage(tabs[sdk.id], (v) => window.bench.renew(v), via);
            if (run < 0) continue;
            samples[sdk.id].push(timeline.ms);
            if (via !== 'iframe') continue;
            // The network log may report the token request's end after the page saw it.
            for (let i = 0; i < 50 && !seen.some((r) => r.path === '/oauth/token'); i++) await sleep(20);
            parts[sdk.id].push(renewalBreakdown(timeline, seen));
          } catch (error) {
            errors.push({ sdk: sdk.id, phase: `renewal-${via}`, error: errorText(error) });
            delete samples[sdk.id];
          } finally {
            seen = undefined;
          }
        }
      }
      for (const sdk of sdks) {
        if (!samples[sdk.id]) continue;
        rows.push({ sdk: sdk.id, ours: sdk.ours, via, ms: summarize(samples[sdk.id]) });
        if (via !== 'iframe') continue;
        const summary = summarizeBreakdown(parts[sdk.id]);
        if (summary) breakdown.push({ sdk: sdk.id, ours: sdk.ours, via, ...summary });
        else
          errors.push({
            sdk: sdk.id,
            phase: 'renewal-breakdown',
            error: [...new Set(parts[sdk.id].map((b) => b.error))].join('; ') || 'no runs',
          });
      }
    }
  } finally {
    context.off('requestfinished', onFinished);
    context.off('requestfailed', onFailed);
  }
  return { rows, breakdown };
}

/** Where the time of the reloads that went through a top-level redirect went, when some did. */
function redirectSummary(samples) {
  const through = samples.filter((x) => x.redirect);
  if (!through.length) return {};
  const part = (k) => summarize(through.map((x) => x.redirect[k]));
  return {
    redirect: { firstPage: part('firstPage'), roundTrip: part('roundTrip'), lastPage: part('lastPage'), n: through.length },
  };
}

/** The frame a request belongs to, or undefined (requests of service workers have none). */
function frameOf(request) {
  try {
    return request.frame();
  } catch {
    return undefined;
  }
}

/**
 * Page load to a known auth state on reload, signed in, in one cookie regime: every
 * configuration of `reloadConfigs`, batch by batch, reloads alternating between the batch's
 * configurations. Each reload records the time to the known state (from the navigation start of
 * the reload, through any top-level redirect), whether the user is still signed in, and the
 * requests that reached the IdP meanwhile (top-level navigations among them). A reload that ends
 * signed out is followed by an untimed sign-in, so that every reload starts signed in.
 */
async function reloadPhase(context, regime, sdks, origin, idpOrigin, s, errors) {
  const rows = [];
  let counting;
  const onRequest = (request) => {
    if (!counting || new URL(request.url()).origin !== idpOrigin) return;
    counting.requests++;
    if (request.isNavigationRequest() && frameOf(request)?.parentFrame() === null) {
      counting.topLevel++;
    }
  };
  context.on('request', onRequest);
  try {
    const configs = reloadConfigs.filter((c) => sdks.some((sdk) => sdk.id === c.sdk));
    for (const batch of [...new Set(configs.map((c) => c.batch))]) {
      log(`reload (third-party cookies ${regime.id}, ${batch})`);
      const entries = [];
      for (const config of configs.filter((c) => c.batch === batch)) {
        const entry = { config, o: origin(reloadHost(config)), phase: `reload-${regime.id}-${config.id}`, samples: [] };
        entries.push(entry);
        try {
          entry.tab = await context.newPage();
          await entry.tab.goto(entry.o);
          await signIn(entry.tab, entry.o);
        } catch (error) {
          errors.push({ sdk: config.sdk, phase: `${entry.phase}-sign-in`, error: errorText(error) });
          entry.failed = true;
        }
      }
      for (let run = -1; run < s.reloads; run++) {
        const order = run % 2 ? [...entries].reverse() : entries;
        for (const entry of order) {
          if (entry.failed) continue;
          try {
            counting = { requests: 0, topLevel: 0 };
            await entry.tab.reload({ waitUntil: 'commit' });
            const state = await authState(entry.tab);
            const { requests, topLevel } = counting;
            const sample = { ms: state.knownAt, signedIn: state.signedIn === true, requests, topLevel };
            if (state.error) sample.error = state.error;
            // Through a top-level redirect: the page that knew the state is the navigation the SDK
            // started from the first page, through the IdP's redirect back.
            if (topLevel > 0 && state.pageStart > state.chainStart) {
              sample.redirect = {
                firstPage: state.pageStart - state.chainStart,
                roundTrip: state.pageFetchStart - state.pageStart,
                lastPage: state.chainStart + state.knownAt - state.pageFetchStart,
              };
            }
            counting = undefined;
            if (run >= 0) entry.samples.push(sample);
            if (!sample.signedIn) await signIn(entry.tab, entry.o);
          } catch (error) {
            errors.push({ sdk: entry.config.sdk, phase: entry.phase, error: errorText(error) });
            entry.failed = true;
          } finally {
            counting = undefined;
          }
        }
      }
      for (const entry of entries) {
        await entry.tab?.close().catch(() => {});
        if (entry.failed || !entry.samples.length) continue;
        const { config, samples } = entry;
        const sdk = sdks.find((x) => x.id === config.sdk);
        rows.push({
          sdk: sdk.id,
          ours: sdk.ours,
          regime: regime.id,
          config: config.id,
          settings: config.settings,
          tables: config.tables,
          ms: summarize(samples.map((x) => x.ms)),
          idpRequests: summarize(samples.map((x) => x.requests)),
          topLevel: summarize(samples.map((x) => x.topLevel)),
          signedIn: samples.filter((x) => x.signedIn).length,
          ...redirectSummary(samples),
          reloads: samples.length,
          failures: [...new Set(samples.flatMap((x) => (x.error ? [x.error] : [])))].slice(0, 3),
        });
      }
    }
  } finally {
    counting = undefined;
    context.off('request', onRequest);
  }
  return rows;
}

/**
 * N tabs × M concurrent token calls once the tokens have expired: how many requests reach the IdP
 * (token endpoint and authorization endpoint), counted by intercepting the browser's requests.
 * The count covers the whole window from the previous round to the end of the burst, so renewals
 * an SDK makes on its own timers while the tokens expire are counted too.
 */
async function tabsPhase(context, sdks, origin, idps, s, errors) {
  const rows = [];
  let counting;
  const onRequest = (request) => {
    if (!counting) return;
    const url = new URL(request.url());
    if (url.origin !== counting.idpOrigin) return;
    if (url.pathname === '/oauth/token' && request.method() === 'POST') counting.token++;
    else if (url.pathname === '/authorize') counting.authorize++;
  };
  context.on('request', onRequest);
  try {
    for (const mode of ['refresh', 'iframe']) {
      const candidates = sdks.filter((sdk) => sdk.token);
      const tabsOf = {};
      for (const sdk of candidates) {
        try {
          const o = origin(`${sdk.id}-tabs-${mode}.localhost`);
          const first = await context.newPage();
          await first.goto(o);
          await signIn(first, o);
          const tabs = [first];
          for (let i = 1; i < s.tabs; i++) {
            const tab = await context.newPage();
            await tab.goto(o);
            const state = await authState(tab);
            if (!state.signedIn) throw new Error(`tab ${i + 1} is not signed in${state.error ? `: ${state.error}` : ''}`);
            tabs.push(tab);
          }
          tabsOf[sdk.id] = { tabs, counts: [], failed: [] };
        } catch (error) {
          errors.push({ sdk: sdk.id, phase: `tabs-${mode}-setup`, error: errorText(error) });
        }
      }
      log(`tabs (${mode})`);
      for (let round = 0; round < s.tabRounds; round++) {
        const order = round % 2 ? [...candidates].reverse() : candidates;
        for (const sdk of order) {
          const entry = tabsOf[sdk.id];
          if (!entry) continue;
          const idp = idps[`short${sdk.staleMarginSeconds + SHORT_TOKEN_SECONDS}`];
          counting = { token: 0, authorize: 0, idpOrigin: new URL(idp.issuer).origin };
          try {
            // Wait until no tab has a usable cached token, as each SDK sees it (cacheMode 'cache-only').
            const deadline = Date.now() + (sdk.staleMarginSeconds + SHORT_TOKEN_SECONDS + 10) * 1000;
            for (;;) {
              const cached = await Promise.all(entry.tabs.map((tab) => inPage(tab, () => window.bench.cached())));
              if (!cached.some(Boolean)) break;
              if (Date.now() > deadline) throw new Error('the cached tokens never went stale');
              await sleep(200);
            }
            const results = await Promise.all(entry.tabs.map((tab) => inPage(tab, (m) => window.bench.concurrent(m), s.calls)));
            // Requests still in flight when the last call resolved are counted too.
            await sleep(250);
            entry.counts.push({ token: counting.token, authorize: counting.authorize });
            entry.failed.push(...results.flatMap((r) => r.failed));
          } catch (error) {
            errors.push({ sdk: sdk.id, phase: `tabs-${mode}`, error: errorText(error) });
            for (const tab of entry.tabs) await tab.close();
            delete tabsOf[sdk.id];
          }
          counting = undefined;
        }
      }
      for (const sdk of candidates) {
        const entry = tabsOf[sdk.id];
        if (!entry) continue;
        for (const tab of entry.tabs) await tab.close();
        const total = entry.counts.map((c) => c.token + c.authorize);
        rows.push({
          sdk: sdk.id,
          ours: sdk.ours,
          mode,
          tabs: s.tabs,
          calls: s.calls,
          requests: summarize(total),
          tokenRequests: summarize(entry.counts.map((c) => c.token)),
          authorizeRequests: summarize(entry.counts.map((c) => c.authorize)),
          perRound: entry.counts,
          failedCalls: entry.failed.length,
          failures: [...new Set(entry.failed)].slice(0, 3),
        });
      }
    }
  } finally {
    context.off('request', onRequest);
  }
  return rows;
}
