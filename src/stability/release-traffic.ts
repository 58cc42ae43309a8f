// The webhook side of "did the new release make it worse?": deliveries, errors and reply times
// of each release the bot named on its events, from the same period totals every report reads
// (rollup metrics release_*), so grouping by release costs the report no extra read.
import { latencyPercentile } from "./latency.js";
import { MAX_METRIC, perDelivery, type RollupRow } from "./rollup-metrics.js";

export interface ReleaseTraffic {
  release: string;
  /** The start of the first minute (or quarter) in the period with an event of this release. */
  firstAt: number;
  deliveries: number;
  errors: number;
  errorRate: number | null;
  replies: number;
  p95Ms: number | null;
  /** Replies per latency bucket (latency.ts LATENCY_BOUNDS), for the Mann-Whitney test. */
  latencyBuckets: number[];
}

const SEPARATOR = "\u001f";

export function releaseTraffic(rows: readonly (RollupRow & { first: number })[]): ReleaseTraffic[] {
  const byRelease = new Map<string, ReleaseTraffic>();
  const of = (release: string, first: number) => {
    const t = byRelease.get(release) ?? {
      release,
      firstAt: first,
      deliveries: 0,
      errors: 0,
      errorRate: null,
      replies: 0,
      p95Ms: null,
      latencyBuckets: [] as number[],
    };
    byRelease.set(release, t);
    t.firstAt = Math.min(t.firstAt, first);
    return t;
  };
  for (const r of rows) {
    if (r.metric === "release_delivery") of(r.key, r.first).deliveries += r.total;
    else if (r.metric === "release_error") of(r.key, r.first).errors += r.total;
    else if (r.metric === "release_latency") {
      const cut = r.key.lastIndexOf(SEPARATOR);
      const t = of(r.key.slice(0, cut), r.first);
      const bucket = Number(r.key.slice(cut + 1));
      t.latencyBuckets[bucket] = (t.latencyBuckets[bucket] ?? 0) + r.total;
      t.replies += r.total;
    }
  }
  // The period's slowest reply caps the top bucket, as for the period's own p95.
  const max = rows.filter((r) => r.metric === MAX_METRIC);
  for (const t of byRelease.values()) {
    t.latencyBuckets = Array.from(t.latencyBuckets, (n) => n ?? 0);
    t.errorRate = perDelivery(t.errors, t.deliveries);
    const buckets = t.latencyBuckets.map((total, key) => ({ metric: "latency_bucket" as const, key: String(key), total, peak: total }));
    t.p95Ms = latencyPercentile([...buckets, ...max], 0.95);
  }
  return [...byRelease.values()];
}
