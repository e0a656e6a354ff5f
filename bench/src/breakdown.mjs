// Where the time of a hidden-iframe renewal goes. Two sources, put on one clock:
// - the page (bench/browser/harness.ts `renew`): the call's start and end, the `message` events
//   the window received from other windows, and its Resource Timing entries (the SDK's own
//   fetch of /oauth/token). All in `performance.now()` milliseconds.
// - the browser's network log as Playwright reports it: every request to the IdP, the iframe's
//   navigation to /authorize included (a parent page's Resource Timing never sees an iframe that
//   is removed before it finishes loading, which is what the SDKs do). Start times there are
//   epoch milliseconds and response ends are relative to them.
// Both are on the machine's wall clock: the page's `performance.timeOrigin` + `performance.now()`,
// and the log's start times. The token request is in both, which checks that: the log starts it
// a little after the page called fetch (`tokenLag`, the hop from the page to the network stack).
import { summarize } from './stats.mjs';

/** The parts of a renewal, in the order they happen, with the labels the report uses. */
export const renewalParts = [
  { id: 'sdkBefore', label: 'SDK: call → iframe in the page (discovery, PKCE, state, URL)', sdk: true },
  { id: 'navigation', label: 'browser: iframe in the page → /authorize request start' },
  { id: 'authorize', label: 'IdP authorize page: /authorize request start → response end' },
  { id: 'message', label: 'message back: /authorize response end → message in the page' },
  { id: 'sdkBetween', label: 'SDK: message → token request start (response checks)', sdk: true },
  { id: 'token', label: 'token request: /oauth/token request start → response end' },
  { id: 'sdkAfter', label: 'SDK: token response → call resolved (ID token checks, cache, events)', sdk: true },
];

/**
 * One renewal's parts in milliseconds, summing to its total, or `{ error }` saying what was
 * missing. `timeline` is what the harness's `renew` returns; `requests` are the IdP requests the
 * browser made during the call: `{ path, method, navigation, startTime, responseEnd, aborted }`.
 */
export function renewalBreakdown(timeline, requests) {
  const token = requests.find((r) => r.path === '/oauth/token' && r.method === 'POST' && r.responseEnd >= 0);
  const authorize = requests.filter((r) => r.navigation && r.path.startsWith('/authorize'));
  if (!token) return { error: 'no /oauth/token request was seen' };
  if (authorize.length === 0) return { error: 'no /authorize navigation was seen (not an iframe renewal)' };
  if (authorize.some((r) => !(r.responseEnd >= 0))) return { error: 'the /authorize navigation got no response' };
  const tokenEntry = timeline.resources.find((r) => r.url.endsWith('/oauth/token'));
  // Epoch milliseconds (browser network log) to the page's performance.now() milliseconds.
  const toPage = (epoch) => epoch - timeline.timeOrigin;
  const authorizeStart = Math.min(...authorize.map((r) => toPage(r.startTime)));
  const authorizeEnd = Math.max(...authorize.map((r) => toPage(r.startTime) + r.responseEnd));
  const message = timeline.messages.find((m) => m.at >= (timeline.iframeAt ?? timeline.start));
  if (!message) return { error: 'no message reached the page after /authorize' };
  // A message can be handled before the browser marks the response as ended (the page posting it
  // runs as it streams in): the authorize part then ends at the message.
  const answered = Math.min(authorizeEnd, message.at);
  const tokenStart = tokenEntry ? tokenEntry.startTime : toPage(token.startTime);
  const tokenEnd = tokenEntry ? tokenEntry.responseEnd : toPage(token.startTime) + token.responseEnd;
  // When no iframe was seen in the document (an SDK that hides it in a shadow root), the browser's
  // navigation part is counted as the SDK's.
  const iframeAt = timeline.iframeAt ?? authorizeStart;
  const parts = {
    sdkBefore: iframeAt - timeline.start,
    navigation: authorizeStart - iframeAt,
    authorize: answered - authorizeStart,
    message: message.at - answered,
    sdkBetween: tokenStart - message.at,
    token: tokenEnd - tokenStart,
    sdkAfter: timeline.end - tokenEnd,
  };
  const other = requests.filter((r) => r !== token && !authorize.includes(r)).length;
  return {
    parts,
    total: timeline.end - timeline.start,
    ...(tokenEntry ? { tokenLag: toPage(token.startTime) - tokenEntry.startTime } : {}),
    otherRequests: other,
    aborted: authorize.some((r) => r.aborted),
  };
}

/**
 * The median of each part over the runs, its share of the sum of the medians, and the SDK's own
 * share (the `sdk` parts together). Runs whose breakdown failed are counted, not summarized.
 */
export function summarizeBreakdown(breakdowns) {
  const ok = breakdowns.filter((b) => b.parts);
  if (ok.length === 0) return undefined;
  const parts = Object.fromEntries(renewalParts.map((p) => [p.id, summarize(ok.map((b) => b.parts[p.id]))]));
  const sum = renewalParts.reduce((total, p) => total + parts[p.id].median, 0);
  const share = Object.fromEntries(renewalParts.map((p) => [p.id, sum > 0 ? parts[p.id].median / sum : undefined]));
  return {
    parts,
    share,
    sdkShare: renewalParts.filter((p) => p.sdk).reduce((total, p) => total + (share[p.id] ?? 0), 0),
    total: summarize(ok.map((b) => b.total)),
    tokenLag: summarize(ok.flatMap((b) => (b.tokenLag === undefined ? [] : [b.tokenLag]))),
    otherRequests: Math.max(...ok.map((b) => b.otherRequests)),
    aborted: ok.filter((b) => b.aborted).length,
    runs: ok.length,
    failed: breakdowns.length - ok.length,
    failures: [...new Set(breakdowns.filter((b) => b.error).map((b) => b.error))],
  };
}
