import { MAX_METRIC, type RollupRow } from "./rollup-metrics.js";

// Response times are kept as histogram counts per minute, so p50/p95/p99 over any period
// come from summing rollups instead of scanning events.

/** Upper bounds (ms, inclusive) of the latency buckets; the last bucket is open-ended. */
export const LATENCY_BOUNDS = [
  25, 50, 100, 250, 500, 750, 1000, 1500, 2000, 3000, 4000, 5000, 7500, 10_000, 15_000, 20_000, 30_000, 60_000,
] as const;

export function latencyBucket(ms: number): number {
  const i = LATENCY_BOUNDS.findIndex((bound) => ms <= bound);
  return i === -1 ? LATENCY_BOUNDS.length : i;
}

export function bucketRange(index: number): [number, number] {
  const lower = index === 0 ? 0 : LATENCY_BOUNDS[index - 1]!;
  const upper = LATENCY_BOUNDS[index] ?? Number.POSITIVE_INFINITY;
  return [lower, upper];
}

/** A latency percentile (0–1) from rollup rows: their `latency_bucket` counts, capped by their `latency_max`. */
export function latencyPercentile(rows: readonly RollupRow[], p: number): number | null {
  const buckets = new Map<number, number>();
  let maxMs = 0;
  for (const r of rows) {
    if (r.metric === "latency_bucket") buckets.set(Number(r.key), (buckets.get(Number(r.key)) ?? 0) + r.total);
    if (r.metric === MAX_METRIC) maxMs = Math.max(maxMs, r.peak);
  }
  return percentile(buckets, p, maxMs);
}

/** Estimates a percentile (0–1) by interpolating inside the bucket that holds it. */
function percentile(buckets: Map<number, number>, p: number, maxMs: number): number | null {
  const total = [...buckets.values()].reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  for (let i = 0; i <= LATENCY_BOUNDS.length; i++) {
    const count = buckets.get(i) ?? 0;
    if (count === 0) continue;
    if (seen + count >= rank) {
      const [lower, upper] = bucketRange(i);
      const top = Math.min(upper, maxMs);
      return Math.round(lower + (Math.max(top, lower) - lower) * ((rank - seen) / count));
    }
    seen += count;
  }
  return maxMs;
}
