// Small statistics and ratio helpers shared by the runtime phases and the report.

/** Median, min and max of a list of numbers (undefined for an empty list). */
export function summarize(values) {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], n: sorted.length };
}

/**
 * The best peer figure: the smallest (sizes, latencies, request counts) or the largest
 * (throughput) value among the rows that are not ours and have a figure.
 */
export function bestPeer(rows, pick, higherIsBetter = false) {
  const values = rows
    .filter((r) => !r.ours)
    .map(pick)
    .filter((v) => typeof v === 'number' && Number.isFinite(v));
  if (values.length === 0) return undefined;
  return higherIsBetter ? Math.max(...values) : Math.min(...values);
}

/**
 * A figure as a ratio to the best peer, written so that below 1× is better for "lower is better"
 * figures and above 1× is better for throughput; undefined when there is nothing to compare.
 */
export function ratio(value, best) {
  if (typeof value !== 'number' || typeof best !== 'number' || !Number.isFinite(value)) return undefined;
  if (best === 0) return value === 0 ? 1 : undefined;
  return value / best;
}
