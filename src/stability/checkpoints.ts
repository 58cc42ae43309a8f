import type { Db } from "../db/client.js";
import { num, type Query } from "../db/query.js";
import { readDeliveryTimeline, readPeriodMetrics, type PeriodMetrics } from "./period-metrics.js";
import { firstRollupMinute, readRollups } from "./store/webhook-rollups.js";
import { redFlagsFor, statusOf, type RedFlag } from "./red-flags.js";
import type { Logger } from "../log.js";
import type { StabilityThresholds } from "./thresholds.js";

const WINDOW_MS = 4 * 3600_000;

/** How a checkpoint reads to a person: a window without deliveries had no traffic (its status still says how bad that is). */
export const checkpointLabel = (c: Pick<Checkpoint, "status" | "metrics">) => (c.metrics.deliveries === 0 ? "no traffic" : c.status);
// Never reach back further than this on a first run or after a very long outage.
const MAX_WINDOWS_PER_RUN = 6 * 31;

export interface Checkpoint {
  windowStart: number;
  windowEnd: number;
  closedAt: number;
  status: "ok" | "warning" | "critical";
  metrics: PeriodMetrics;
  redFlags: RedFlag[];
}

/** Windows are [start, end) aligned to 00/04/08/12/16/20 UTC. */
const windowStartOf = (ms: number) => Math.floor(ms / WINDOW_MS) * WINDOW_MS;

/**
 * Closes every complete window since the last checkpoint: after 12 hours without a run, the
 * next run closes 3. Each window is computed from rollups and inserted once (its start is the
 * primary key), so overlapping runs cannot close it twice.
 */
export async function closeDueCheckpoints(
  deps: { db: Db; log: Logger; settings: { stability: StabilityThresholds } },
  now: number,
): Promise<Checkpoint[]> {
  const { db } = deps;
  const lastCompleteEnd = windowStartOf(now);
  const start = await firstWindowToClose(db, lastCompleteEnd);
  const thresholds = deps.settings.stability;
  const closed: Checkpoint[] = [];
  for (let ws = Math.max(start, lastCompleteEnd - MAX_WINDOWS_PER_RUN * WINDOW_MS); ws + WINDOW_MS <= lastCompleteEnd; ws += WINDOW_MS) {
    const we = ws + WINDOW_MS;
    const metrics = await readPeriodMetrics(db, ws, we, thresholds.responseTimeMs);
    const redFlags = redFlagsFor(metrics, await readDeliveryTimeline(db, ws, we), thresholds, we);
    const checkpoint: Checkpoint = { windowStart: ws, windowEnd: we, closedAt: now, status: statusOf(redFlags), metrics, redFlags };
    if (await insertCheckpoint(db, checkpoint)) {
      closed.push(checkpoint);
      deps.log.info("checkpoint closed", {
        window_start: new Date(ws).toISOString(),
        window_end: new Date(we).toISOString(),
        status: checkpoint.status,
        deliveries: metrics.deliveries,
        processed: metrics.processed,
        signature_failures: metrics.signatureFailures,
        errors: metrics.errors,
        success_rate: metrics.successRate,
        avg_response_ms: metrics.responseTime.avgMs,
        p95_response_ms: metrics.responseTime.p95Ms,
        red_flags: redFlags.map((f) => f.kind),
      });
    }
  }
  return closed;
}

const lastCheckpointEnd: Query<number | null> = {
  statement: "SELECT MAX(window_end) AS last_end FROM stability_checkpoints",
  map: (rs) => num(rs.rows[0]?.last_end),
};

async function firstWindowToClose(db: Db, lastCompleteEnd: number): Promise<number> {
  const [lastEnd, firstData] = await readRollups(db, [lastCheckpointEnd, firstRollupMinute()]);
  if (lastEnd !== null) return lastEnd;
  // First run: from the window of the first data, or else just the last complete window.
  return Math.min(firstData === null ? Infinity : windowStartOf(firstData), lastCompleteEnd - WINDOW_MS);
}

async function insertCheckpoint(db: Db, c: Checkpoint): Promise<boolean> {
  const m = c.metrics;
  const rs = await db.execute({
    sql: `INSERT INTO stability_checkpoints (window_start, window_end, closed_at, deliveries, processed, signature_failures,
            errors, success_rate, error_rate, avg_response_ms, p95_response_ms, status, metrics, red_flags)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (window_start) DO NOTHING`,
    args: [
      c.windowStart,
      c.windowEnd,
      c.closedAt,
      m.deliveries,
      m.processed,
      m.signatureFailures,
      m.errors,
      m.successRate,
      m.errorRate,
      m.responseTime.avgMs,
      m.responseTime.p95Ms,
      c.status,
      JSON.stringify(m),
      JSON.stringify(c.redFlags),
    ],
  });
  return rs.rowsAffected === 1;
}

export async function listCheckpoints(db: Db, options: { from?: number; to?: number; limit: number }): Promise<Checkpoint[]> {
  const [rs] = await db.batch(
    [
      {
        sql: `SELECT * FROM stability_checkpoints WHERE window_end > ? AND window_end <= ?
          ORDER BY window_start DESC LIMIT ?`,
        args: [options.from ?? 0, options.to ?? Number.MAX_SAFE_INTEGER, options.limit],
      },
    ],
    "read",
  );
  return rs!.rows.map((r) => ({
    windowStart: Number(r.window_start),
    windowEnd: Number(r.window_end),
    closedAt: Number(r.closed_at),
    status: r.status as Checkpoint["status"],
    metrics: storedMetrics(String(r.metrics)),
    redFlags: JSON.parse(String(r.red_flags)) as RedFlag[],
  }));
}

/** Checkpoints closed before slow replies and error groups were kept have neither. */
function storedMetrics(json: string): PeriodMetrics {
  const m = JSON.parse(json) as Partial<PeriodMetrics> & Omit<PeriodMetrics, "slowReplies" | "errorGroups">;
  return { ...m, slowReplies: m.slowReplies ?? { count: 0, slowest: null }, errorGroups: m.errorGroups ?? [] };
}
