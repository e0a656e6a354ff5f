// The in-page side of the runtime benchmarks. Each SDK page is one IIFE bundle: an adapter
// (browser/<sdk>.ts) that drives that SDK through its public API, plus this harness, which runs
// the timed loops inside the page so that the DevTools protocol round trip is not measured.

/** What the bench server injects into every page as `window.benchConfig`. */
export interface BenchConfig {
  sdk: string;
  /** The IdP's issuer, with its trailing slash: `http://idp.localhost:PORT/`. */
  issuer: string;
  clientId: string;
  /** Whether the main client asks for refresh tokens (scope `offline_access`). */
  refreshTokens: boolean;
  /** Where tokens are kept; absent: the SDK's default. */
  cache?: 'memory' | 'sessionstorage' | 'localstorage';
  /** A second client without refresh tokens, so renewals through the iframe can be timed too. */
  iframeClient: boolean;
  /** sso-spa only: `useRefreshTokensFallback` (the iframe once when no refresh token is held). */
  refreshFallback?: boolean;
  /** sso-spa only: `checkSessionRedirect`; absent: the SDK's default (`'returning'`). */
  checkSessionRedirect?: boolean | 'returning';
}

/** The operations every SDK adapter provides, each through the SDK's public API only. */
export interface Adapter {
  /**
   * Runs on page load: creates the client, handles a redirect callback, resolves to the auth
   * state. An adapter whose SDK is leaving the page (a top-level session check) never resolves.
   */
  start(): Promise<boolean>;
  /** Starts an interactive sign-in with a redirect (navigates away). */
  login(): Promise<void>;
  /** A token the way an app gets one before an API call (from the cache when valid). */
  token?(): Promise<unknown>;
  /** Whether the SDK would answer a token call from its cache right now (cacheMode 'cache-only'). */
  cached?(): Promise<boolean>;
  /** One renewal with every cache bypassed: through the hidden iframe or a refresh token. */
  renew?(via: 'iframe' | 'refresh'): Promise<void>;
  /** Pages the SDK loads in its own iframe (e.g. oidc-client-ts's silent_redirect_uri). */
  frameCallback?(): Promise<void>;
}

export interface BenchState {
  signedIn?: boolean;
  /**
   * Milliseconds from navigation start to the moment the auth state became known. When the SDK
   * went through top-level redirects first (a `prompt=none` session check), navigation start is
   * that of the first page of the chain, not of the callback page that knew the state.
   */
  knownAt?: number;
  /**
   * Epoch milliseconds: the navigation start of the chain's first page; of this page (after a
   * top-level redirect, when the SDK left the first page); and when this page's own request
   * started, after any redirects.
   */
  chainStart?: number;
  pageStart?: number;
  pageFetchStart?: number;
  error?: string;
}

/** Where a page of the site writes its navigation start, so that a callback page ending a chain can read it. */
const chainStartKey = 'bench.chainStart';
const isCallbackPage = (): boolean => location.pathname === '/callback';

/** The navigation start of the first page of this chain of top-level pages, in epoch milliseconds. */
function chainStart(): number {
  const stored = Number(sessionStorage.getItem(chainStartKey));
  return isCallbackPage() && Number.isFinite(stored) && stored > 0 && stored <= performance.timeOrigin
    ? stored
    : performance.timeOrigin;
}

/** A resource the page fetched (or an iframe it loaded), as the Resource Timing API reports it. */
export interface ResourceMark {
  /** The URL without its query. */
  url: string;
  initiatorType: string;
  startTime: number;
  responseEnd: number;
}

/** What happened during one timed renewal, in `performance.now()` milliseconds. */
export interface RenewalTimeline {
  ms: number;
  /** `performance.timeOrigin`, to put the browser's network log on the page's clock. */
  timeOrigin: number;
  start: number;
  end: number;
  /** When the first iframe was added to the document, if one was. */
  iframeAt?: number;
  /** `message` events the window received from other windows (frames, popups) meanwhile. */
  messages: { at: number; origin: string }[];
  /** Resource Timing entries that started during the renewal. */
  resources: ResourceMark[];
}

declare global {
  interface Window {
    benchConfig: BenchConfig;
    benchState: BenchState;
    bench: ReturnType<typeof api>;
  }
}

const errorText = (error: unknown): string => {
  const e = error as { code?: string; error?: string; name?: string; message?: string };
  return [e?.code ?? e?.error ?? e?.name, e?.message].filter(Boolean).join(': ') || String(error);
};

function api(adapter: Adapter) {
  return {
    login: () => adapter.login(),
    /** Cache-hit `getTokenSilently` calls for `durationMs` (at most `maxOps`): ops per second. */
    async throughput(durationMs: number, maxOps: number): Promise<{ ops: number; ms: number }> {
      if (!adapter.token) throw new Error('not supported');
      await adapter.token();
      let ops = 0;
      const start = performance.now();
      const end = start + durationMs;
      while (ops < maxOps && performance.now() < end) {
        await adapter.token();
        ops++;
      }
      return { ops, ms: performance.now() - start };
    },
    /**
     * One renewal with caches bypassed: milliseconds, and the marks the breakdown is made of:
     * messages received from other windows, and the Resource Timing entries of the requests.
     * Recording a message costs one `performance.now()`; the entries are read after the clock stops.
     */
    async renew(via: 'iframe' | 'refresh'): Promise<RenewalTimeline> {
      if (!adapter.renew) throw new Error('not supported');
      performance.clearResourceTimings();
      const messages: RenewalTimeline['messages'] = [];
      const onMessage = (event: MessageEvent) => {
        if (event.source !== window) messages.push({ at: performance.now(), origin: event.origin });
      };
      window.addEventListener('message', onMessage, true);
      let iframeAt: number | undefined;
      const observer = new MutationObserver((records) => {
        if (iframeAt !== undefined) return;
        const added = records.some((r) => [...r.addedNodes].some((node) => node.nodeName === 'IFRAME'));
        if (added) iframeAt = performance.now();
      });
      observer.observe(document, { childList: true, subtree: true });
      const start = performance.now();
      try {
        await adapter.renew(via);
      } finally {
        window.removeEventListener('message', onMessage, true);
        observer.disconnect();
      }
      const end = performance.now();
      // An iframe's entry reaches the parent's timeline when the frame's document finishes loading.
      await new Promise((resolve) => setTimeout(resolve, 50));
      const resources = (performance.getEntriesByType('resource') as PerformanceResourceTiming[])
        .filter((entry) => entry.startTime >= start)
        .map((entry) => ({
          url: entry.name.split('?')[0] ?? entry.name,
          initiatorType: entry.initiatorType,
          startTime: entry.startTime,
          responseEnd: entry.responseEnd,
        }));
      return { ms: end - start, timeOrigin: performance.timeOrigin, start, end, iframeAt, messages, resources };
    },
    cached: async (): Promise<boolean> => (adapter.cached ? adapter.cached() : false),
    /** `m` concurrent token calls, as `m` components asking at once after the tokens expired. */
    async concurrent(m: number): Promise<{ ok: number; failed: string[] }> {
      if (!adapter.token) throw new Error('not supported');
      const token = adapter.token.bind(adapter);
      const results = await Promise.allSettled(Array.from({ length: m }, () => token()));
      return {
        ok: results.filter((r) => r.status === 'fulfilled').length,
        failed: results.flatMap((r) => (r.status === 'rejected' ? [errorText(r.reason)] : [])),
      };
    },
  };
}

/** Boots a page: frame callbacks run and stop; top-level pages start the adapter and record when. */
export function runPage(adapter: Adapter): void {
  window.benchState = {};
  if (window.self !== window.top) {
    void adapter.frameCallback?.();
    return;
  }
  window.bench = api(adapter);
  const since = chainStart();
  if (!isCallbackPage()) sessionStorage.setItem(chainStartKey, String(performance.timeOrigin));
  const known = () => ({
    knownAt: performance.timeOrigin + performance.now() - since,
    chainStart: since,
    pageStart: performance.timeOrigin,
    pageFetchStart:
      performance.timeOrigin + ((performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming)?.fetchStart ?? 0),
  });
  adapter.start().then(
    (signedIn) => {
      window.benchState = { signedIn, ...known() };
    },
    (error: unknown) => {
      window.benchState = { error: errorText(error), ...known() };
    },
  );
}

/** Where the SDKs send the browser back after sign-in. */
export const redirectUri = (): string => `${location.origin}/callback`;

/** After a callback, the harness puts the app back at `/` (the SDKs clean the query themselves or not). */
export function leaveCallback(): void {
  if (location.pathname === '/callback') history.replaceState(null, '', '/');
}
