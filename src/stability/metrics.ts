import type { Db } from "../db/client.js";
import { readAll } from "../db/query.js";
import { LATENCY_BOUNDS, latencyPercentile } from "./latency.js";
import type { Metric, RollupRow } from "./rollup-metrics.js";
import {
  deliveryMinutes,
  firstMinute,
  lastDeliveryBefore,
  periodTotals,
  readRollups,
  signatureSlots,
  sumOf,
  totalsByKey,
} from "./rollup-reader.js";
import { BASELINE_SLOTS, judgeSignatureFailures } from "./signature-judgement.js";

export interface PeriodMetrics {
  from: number;
  to: number;
  deliveries: number;
  processed: number;
  responses: number;
  /** Requests whose signature verified (every stored event). */
  signaturePassed: number;
  /** Failures while the sender's own deliveries failed (signature-judgement.ts); probing is apart. */
  signatureFailures: number;
  signatureFailuresByReason: Record<string, number>;
  /** Failures beside normally flowing verified deliveries: strangers, a warning. */
  signatureProbing: { failures: number; addresses: Record<string, number> };
  /** Every refused request by client address (IPv6 by /64). */
  refusedAddresses: Record<string, number>;
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

const QUARTER = 900_000;

const without = (totals: Record<string, number>, part: Record<string, number>) =>
  Object.fromEntries(Object.entries(totals).flatMap(([k, n]) => (n - (part[k] ?? 0) > 0 ? [[k, n - (part[k] ?? 0)]] : [])));

/**
 * Sums the rollups of [from, to) — every report reads these, never raw events (the reader
 * takes whole quarter hours from the 15-minute table).
 */
export async function readPeriodMetrics(db: Db, from: number, to: number, slowMs: number): Promise<PeriodMetrics> {
  // The catch-up and this read share one write batch: one round trip.
  const origin = from - BASELINE_SLOTS * QUARTER;
  const [rows, slots] = await readRollups(db, [periodTotals(from, to), signatureSlots(origin, to, QUARTER)]);
  const { probing, failing } = judgeSignatureFailures(slots);
  const sum = (metric: Metric) => sumOf(rows, metric);
  // A first time taken from the quarter table is the quarter's start: find its minute. All
  // three lookups go in one read batch (one round trip), and only when there is a first time.
  const firstOf = (match: (r: RollupRow) => boolean, metric: Metric, minKey?: number) => {
    const firsts = rows.filter(match).map((r) => r.first);
    if (firsts.length === 0) return null;
    const coarse = Math.min(...firsts);
    return { coarse, query: firstMinute(metric, coarse, Math.min(coarse + QUARTER, to), minKey) };
  };

  const latencyCount = sum("latency_bucket");
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
      ? await readAll(
          db,
          wanted.map((l) => l.query),
        )
      : [];
  const [signatureFailureAt, errorAt, slowResponseAt] = lookups.map((l) => (l === null ? null : (exact[wanted.indexOf(l)] ?? l.coarse)));

  return {
    from,
    to,
    deliveries,
    processed: sum("processed"),
    responses: sum("response"),
    signaturePassed: sum("accepted"),
    signatureFailures: Math.max(0, sum("signature_failure") - probing.failures),
    signatureFailuresByReason: without(totalsByKey(rows, "signature_failure"), probing.reasons),
    signatureProbing: { failures: probing.failures, addresses: probing.addresses },
    refusedAddresses: totalsByKey(rows, "refused_from"),
    errors,
    errorsByType: totalsByKey(rows, "error"),
    eventsByType: totalsByKey(rows, "event"),
    successRate: deliveries > 0 ? sum("processed") / deliveries : null,
    errorRate: deliveries > 0 ? errors / deliveries : null,
    responseTime: {
      count: latencyCount,
      avgMs: latencyCount > 0 ? Math.round(sum("latency_sum") / latencyCount) : null,
      p50Ms: latencyPercentile(rows, 0.5),
      p95Ms: latencyPercentile(rows, 0.95),
      p99Ms: latencyPercentile(rows, 0.99),
      maxMs,
    },
    firstAt: {
      // A stranger's earlier knock is not when the sender started failing.
      signatureFailure: failing.firstSlot === null ? null : Math.max(signatureFailureAt ?? from, origin + failing.firstSlot * QUARTER),
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
  const [minutes, lastBefore] = await readRollups(db, [deliveryMinutes(from, to), lastDeliveryBefore(from)]);
  return { minutes, lastBefore };
}
