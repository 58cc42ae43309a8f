import type { Db } from "../db/client.js";
import { LATENCY_BOUNDS, percentile } from "./latency.js";
import { readCaughtUp } from "./rollup-catch-up.js";

export interface PeriodMetrics {
  from: number;
  to: number;
  deliveries: number;
  processed: number;
  responses: number;
  /** Requests whose signature verified (every stored event). */
  signaturePassed: number;
  signatureFailures: number;
  signatureFailuresByReason: Record<string, number>;
  errors: number;
  errorsByType: Record<string, number>;
  eventsByType: Record<string, number>;
  successRate: number | null;
  errorRate: number | null;
  responseTime: {
    count: number;
    avgMs: number | null;
    p50Ms: number | null;
    p95Ms: number | null;
    p99Ms: number | null;
    maxMs: number | null;
  };
  /** First minute in the period with each kind of trouble, for red-flag timestamps. */
  firstAt: { signatureFailure: number | null; error: number | null; slowResponse: number | null };
}

interface Row {
  metric: string;
  key: string;
  total: number;
  peak: number;
  first: number;
}

const QUARTER = 900_000;

/**
 * Sums the rollups of [from, to) — every report reads these, never raw events: whole quarter
 * hours from the 15-minute table, the ragged edges from the per-minute one.
 */
export async function readPeriodMetrics(db: Db, from: number, to: number, slowMs: number): Promise<PeriodMetrics> {
  const qFrom = Math.ceil(from / QUARTER) * QUARTER;
  const qTo = Math.max(qFrom, Math.floor(to / QUARTER) * QUARTER);
  // The catch-up and this read share one write batch: one round trip.
  const [rs] = await readCaughtUp(db, [
    {
      sql: `SELECT metric, key, SUM(total) AS total, MAX(peak) AS peak, MIN(first) AS first FROM (
              SELECT metric, key, SUM(value) AS total, MAX(value) AS peak, MIN(minute) AS first FROM webhook_rollups
              WHERE (minute >= ? AND minute < ?) OR (minute >= ? AND minute < ?) GROUP BY metric, key
              UNION ALL
              SELECT metric, key, SUM(value), MAX(value), MIN(slot) FROM webhook_rollups_15m WHERE slot >= ? AND slot < ? GROUP BY metric, key
            ) GROUP BY metric, key`,
      args: qFrom >= qTo ? [from, to, 0, 0, 0, 0] : [from, qFrom, qTo, to, qFrom, qTo],
    },
  ]);
  const rows = rs!.rows.map((r) => ({
    metric: String(r.metric),
    key: String(r.key),
    total: Number(r.total),
    peak: Number(r.peak),
    first: Number(r.first),
  })) as Row[];
  const sum = (metric: string) => rows.filter((r) => r.metric === metric).reduce((a, r) => a + r.total, 0);
  const byKey = (metric: string) =>
    Object.fromEntries(rows.filter((r) => r.metric === metric).map((r) => [r.key, r.total])) as Record<string, number>;
  // A first time taken from the quarter table is the quarter's start: find its minute. All
  // three lookups go in one read batch (one round trip), and only when there is a first time.
  const firstOf = (match: (r: Row) => boolean, metric: string, minKey?: number) => {
    const firsts = rows.filter(match).map((r) => r.first);
    if (firsts.length === 0) return null;
    const coarse = Math.min(...firsts);
    const stmt = {
      sql: `SELECT MIN(minute) AS m FROM webhook_rollups WHERE minute >= ? AND minute < ? AND metric = ? AND (? IS NULL OR CAST(key AS INTEGER) >= ?)`,
      args: [coarse, Math.min(coarse + QUARTER, to), metric, minKey ?? null, minKey ?? null],
    };
    return { coarse, stmt };
  };

  const buckets = new Map(rows.filter((r) => r.metric === "latency_bucket").map((r) => [Number(r.key), r.total]));
  const latencyCount = [...buckets.values()].reduce((a, b) => a + b, 0);
  const maxMs = rows.find((r) => r.metric === "latency_max")?.peak ?? null;
  const deliveries = sum("delivery");
  const errors = sum("error");
  const slowBucket = LATENCY_BOUNDS.findIndex((bound) => bound >= slowMs) + 1;
  const lookups = [
    firstOf((r) => r.metric === "signature_failure", "signature_failure"),
    firstOf((r) => r.metric === "error", "error"),
    slowBucket > 0 ? firstOf((r) => r.metric === "latency_bucket" && Number(r.key) >= slowBucket, "latency_bucket", slowBucket) : null,
  ];
  const wanted = lookups.filter((l) => l !== null);
  const exact =
    wanted.length > 0
      ? await db.batch(
          wanted.map((l) => l.stmt),
          "read",
        )
      : [];
  const [signatureFailureAt, errorAt, slowResponseAt] = lookups.map((l) => {
    if (l === null) return null;
    const m = exact[wanted.indexOf(l)]?.rows[0]?.m;
    return m === null || m === undefined ? l.coarse : Number(m);
  });

  return {
    from,
    to,
    deliveries,
    processed: sum("processed"),
    responses: sum("response"),
    signaturePassed: sum("accepted"),
    signatureFailures: sum("signature_failure"),
    signatureFailuresByReason: byKey("signature_failure"),
    errors,
    errorsByType: byKey("error"),
    eventsByType: byKey("event"),
    successRate: deliveries > 0 ? sum("processed") / deliveries : null,
    errorRate: deliveries > 0 ? errors / deliveries : null,
    responseTime: {
      count: latencyCount,
      avgMs: latencyCount > 0 ? Math.round(sum("latency_sum") / latencyCount) : null,
      p50Ms: percentile(buckets, 0.5, maxMs ?? 0),
      p95Ms: percentile(buckets, 0.95, maxMs ?? 0),
      p99Ms: percentile(buckets, 0.99, maxMs ?? 0),
      maxMs,
    },
    firstAt: {
      signatureFailure: signatureFailureAt ?? null,
      error: errorAt ?? null,
      slowResponse: slowResponseAt ?? null,
    },
  };
}

export interface DeliveryTimeline {
  /** Minutes of [from, to) with at least one delivery, ascending. */
  minutes: number[];
  /** The last minute with a delivery before `from`, if any ever. */
  lastBefore: number | null;
}

export async function readDeliveryTimeline(db: Db, from: number, to: number): Promise<DeliveryTimeline> {
  const [inPeriod, before] = await readCaughtUp(db, [
    {
      sql: "SELECT DISTINCT minute FROM webhook_rollups WHERE metric = 'delivery' AND minute >= ? AND minute < ? ORDER BY minute",
      args: [from, to],
    },
    { sql: "SELECT MAX(minute) AS last FROM webhook_rollups WHERE metric = 'delivery' AND minute < ?", args: [from] },
  ]);
  const last = before!.rows[0]?.last;
  return {
    minutes: inPeriod!.rows.map((r) => Number(r.minute)),
    lastBefore: last === null || last === undefined ? null : Number(last),
  };
}
