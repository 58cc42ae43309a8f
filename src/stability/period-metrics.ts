import type { Db } from "../db/client.js";
import { readAll, type Query, type Results } from "../db/query.js";
import type { ErrorGroup, SlowReplies } from "./event-details.js";
import { LATENCY_BOUNDS, latencyPercentile } from "./latency.js";
import { type Metric, perDelivery, QUARTER_MS as QUARTER, type RollupRow, sumOf, totalsByKey } from "./rollup-metrics.js";
import {
  exchangeMinutes,
  firstMinute,
  lastDeliveryBefore,
  periodTotals,
  readRollups,
  repliedBetween,
  signatureSlots,
} from "./store/webhook-rollups.js";
import { errorGroups, slowReplies } from "./store/webhook-events.js";
import { BASELINE_SLOTS, judgeSignatureFailures, type SlotRow } from "./signature-judgement.js";

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
  /** Replies over the response-time limit: how many, and the slowest. */
  slowReplies: SlowReplies;
  /** The bot's errors by type, with what they said and how many conversations they touched. */
  errorGroups: ErrorGroup[];
  /** First minute in the period with each kind of trouble, for red-flag timestamps. */
  firstAt: { signatureFailure: number | null; error: number | null; slowResponse: number | null };
}

const without = (totals: Record<string, number>, part: Record<string, number>) =>
  Object.fromEntries(Object.entries(totals).flatMap(([k, n]) => (n - (part[k] ?? 0) > 0 ? [[k, n - (part[k] ?? 0)]] : [])));

/**
 * Sums the rollups of [from, to) — every report reads these, never raw events (the reader
 * takes whole quarter hours from the 15-minute table).
 */
export async function readPeriodMetrics(db: Db, from: number, to: number, slowMs: number): Promise<PeriodMetrics> {
  // The catch-up and this read share one write batch: one round trip.
  const [rows] = await readRollups(db, [periodTotals(from, to)]);
  const follow = metricsFollowUp(rows, { from, to, slowMs });
  return follow.finish(rows, follow.queries.length > 0 ? await readAll(db, follow.queries) : []);
}

type TotalsRows = readonly (RollupRow & { first: number })[];

/**
 * What the totals leave open, as reads for one batch: the exact first minute of each kind of
 * trouble, the slowest replies and the error groups — each only when the totals show there is
 * something to find. `seen` are totals of the period or of a longer one around it (then the
 * first minutes are searched over the whole period, not just the quarter the totals name).
 */
export function metricsFollowUp(seen: TotalsRows, p: { from: number; to: number; slowMs: number; wider?: boolean }) {
  const { from, to, slowMs } = p;
  // A first time taken from the quarter table is the quarter's start: find its minute.
  const firstOf = (match: (r: RollupRow) => boolean, metric: Metric, minKey?: number) => {
    const firsts = seen.filter(match).map((r) => r.first);
    if (firsts.length === 0) return null;
    const coarse = Math.max(from, Math.min(...firsts));
    return { coarse: p.wider ? null : coarse, query: firstMinute(metric, coarse, p.wider ? to : Math.min(coarse + QUARTER, to), minKey) };
  };
  const slowBucket = LATENCY_BOUNDS.findIndex((bound) => bound >= slowMs) + 1;
  const lookups = [
    firstOf((r) => r.metric === "signature_failure", "signature_failure"),
    firstOf((r) => r.metric === "error", "error"),
    slowBucket > 0 ? firstOf((r) => r.metric === "latency_bucket" && Number(r.key) >= slowBucket, "latency_bucket", slowBucket) : null,
  ];
  const wanted = lookups.filter((l) => l !== null);
  // The raw events are read only when the totals show something there: a reply over the limit, an error.
  const seenMax = seen.find((r) => r.metric === "latency_max")?.peak ?? null;
  const anySlow = seenMax !== null && seenMax > slowMs;
  const anyErrors = sumOf(seen, "error") > 0;
  // Signature failures are judged against the verified traffic around them, from slots that
  // start BASELINE_SLOTS quarters before the period (signature-judgement.ts).
  const origin = from - BASELINE_SLOTS * QUARTER;
  const anyFailures = sumOf(seen, "signature_failure") > 0;
  const details = [
    ...(anySlow ? [slowReplies(from, to, slowMs)] : []),
    ...(anyErrors ? [errorGroups(from, to)] : []),
    ...(anyFailures ? [signatureSlots(origin, to, QUARTER)] : []),
  ];
  const queries: Query<unknown>[] = [...wanted.map((l) => l.query), ...details];
  return {
    queries,
    /** The metrics from the period's own totals and the results of `queries`. */
    finish(rows: TotalsRows, results: readonly unknown[]): PeriodMetrics {
      const exact = results.slice(0, wanted.length) as (number | null)[];
      const [signatureFailureAt, errorAt, slowResponseAt] = lookups.map((l) =>
        l === null ? null : (exact[wanted.indexOf(l)] ?? l.coarse),
      );
      const extra = results.slice(wanted.length);
      const sum = (metric: Metric) => sumOf(rows, metric);
      const latencyCount = sum("latency_bucket");
      const deliveries = sum("delivery");
      const errors = sum("error");
      const slow = anySlow ? (extra.shift() as SlowReplies) : { count: 0, slowest: null };
      const groups = anyErrors ? (extra.shift() as ErrorGroup[]) : [];
      const { probing, failing } = judgeSignatureFailures(anyFailures ? (extra.shift() as SlotRow[]) : []);
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
        successRate: perDelivery(sum("processed"), deliveries),
        errorRate: perDelivery(errors, deliveries),
        responseTime: {
          count: latencyCount,
          avgMs: latencyCount > 0 ? Math.round(sum("latency_sum") / latencyCount) : null,
          p50Ms: latencyPercentile(rows, 0.5),
          p95Ms: latencyPercentile(rows, 0.95),
          p99Ms: latencyPercentile(rows, 0.99),
          maxMs: rows.find((r) => r.metric === "latency_max")?.peak ?? null,
        },
        slowReplies: slow,
        errorGroups: groups,
        firstAt: {
          // A stranger's earlier knock is not when the sender started failing.
          signatureFailure: failing.firstSlot === null ? null : Math.max(signatureFailureAt ?? from, origin + failing.firstSlot * QUARTER),
          error: errorAt ?? null,
          slowResponse: slowResponseAt ?? null,
        },
      };
    },
  };
}

export interface DeliveryTimeline {
  /** Minutes of [from, to) with at least one delivery, ascending. */
  minutes: number[];
  /** The last minute with a delivery before `from`, if any ever. */
  lastBefore: number | null;
  /** Minutes of [from, to) with deliveries or replies. */
  exchanges: { minute: number; received: number; responses: number }[];
  /** The bot reported a reply in the day before `from`: it does report them. */
  repliedBefore: boolean;
}

const DAY = 86_400_000;

export const timelineQueries = (from: number, to: number) =>
  [lastDeliveryBefore(from), exchangeMinutes(from, to), repliedBetween(from - DAY, from)] as const;

export const toTimeline = ([lastBefore, exchanges, repliedBefore]: Results<ReturnType<typeof timelineQueries>>): DeliveryTimeline => ({
  minutes: exchanges.filter((x) => x.received > 0).map((x) => x.minute),
  lastBefore,
  exchanges,
  repliedBefore,
});

export async function readDeliveryTimeline(db: Db, from: number, to: number): Promise<DeliveryTimeline> {
  return toTimeline(await readRollups(db, timelineQueries(from, to)));
}
