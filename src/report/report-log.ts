import type { Query } from "../db/query.js";
import { latencyPercentile } from "../stability/latency.js";
import type { RedFlag } from "../stability/red-flags.js";
import { type RollupRow, sumOf, totalsByKey } from "../stability/rollup-metrics.js";
import { periodTotals } from "../stability/store/webhook-rollups.js";

/**
 * The monitoring log's entries as seed 003 writes them: Hour 0 at the period's Start with the
 * baseline counts (the 4 hours before it, what a person's first `grep -c` would have found),
 * then one entry per 4 hours counted from Start — never a window that begins before it.
 */

const H = 3600_000;
const STEP = 4 * H;
/** Longer reports widen the step so the log stays readable (7 days: still 4 hours; 30 days: 20). */
const MAX_ENTRIES = 42;

export interface LogEntry {
  hour: number;
  windowStart: number;
  windowEnd: number;
  deliveries: number;
  processed: number;
  signaturePassed: number;
  signatureFailures: number;
  errors: number;
  errorsByType: Record<string, number>;
  avgResponseMs: number | null;
  p95ResponseMs: number | null;
  redFlags: RedFlag[];
}

/** The complete windows of the log from `start` until `end`, each `step` long. */
export function logWindows(start: number, end: number): [number, number][] {
  const step = STEP * Math.max(1, Math.ceil((end - start) / STEP / MAX_ENTRIES));
  const out: [number, number][] = [];
  for (let at = start; at + step <= end; at += step) out.push([at, at + step]);
  return out;
}

export const baselineWindow = (start: number): [number, number] => [start - STEP, start];

export const windowQueries = (windows: [number, number][]): Query<RollupRow[]>[] => windows.map(([a, b]) => periodTotals(a, b));

export function logEntry(
  rows: readonly RollupRow[],
  [windowStart, windowEnd]: [number, number],
  start: number,
  flags: RedFlag[],
): LogEntry {
  const count = sumOf(rows, "latency_bucket");
  const deliveries = sumOf(rows, "delivery");
  return {
    hour: Math.max(0, Math.round((windowEnd - start) / H)),
    windowStart,
    windowEnd,
    deliveries,
    processed: sumOf(rows, "processed"),
    signaturePassed: sumOf(rows, "accepted"),
    signatureFailures: sumOf(rows, "signature_failure"),
    errors: sumOf(rows, "error"),
    errorsByType: totalsByKey(rows, "error"),
    avgResponseMs: count > 0 ? Math.round(sumOf(rows, "latency_sum") / count) : null,
    p95ResponseMs: latencyPercentile(rows, 0.95),
    redFlags: flags.filter((f) => f.at >= windowStart && f.at < windowEnd),
  };
}
