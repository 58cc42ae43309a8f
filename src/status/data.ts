import type { Deps } from "../deps.js";
import { jobHealth, type JobHealth } from "../jobs/job-health.js";
import { latestWithStatus } from "../runs/queries.js";
import { JOB_NAMES } from "../jobs/types.js";
import { listCheckpoints, type Checkpoint } from "../stability/checkpoints.js";
import { percentile } from "../stability/latency.js";
import { readCaughtUp } from "../stability/rollup-catch-up.js";
import { buildStabilityReport, type StabilityReport } from "../stability/report.js";

const MIN = 60_000;
const HOUR = 3600_000;

/** The page's time ranges: counts per `fine` step, rates, latencies and other counts per `coarse` step. */
export const RANGES = {
  "1h": { hours: 1, fine: MIN, coarse: 5 * MIN },
  "24h": { hours: 24, fine: 15 * MIN, coarse: HOUR },
  "7d": { hours: 168, fine: HOUR, coarse: 6 * HOUR },
} as const;
export type RangeName = keyof typeof RANGES;
export const parseRange = (value: string | undefined): RangeName => (value !== undefined && value in RANGES ? (value as RangeName) : "24h");

export interface Point {
  at: number;
  value: number | null;
}

export interface StatusData {
  now: number;
  full: boolean;
  range: RangeName;
  /** Langfuse and the judge are configured; otherwise the conversation section says so. */
  monitoringConfigured: boolean;
  report: StabilityReport;
  firing: { id: number; rule: string; severity: string; summary: string; since: number }[];
  jobs: JobHealth[];
  deliveries: Point[];
  successRate: Point[];
  errorRate: Point[];
  p50: Point[];
  p95: Point[];
  signatureFailures: Point[];
  verdicts: { pass: Point[]; partial: Point[]; fail: Point[] };
  topCategories: { category: string; count: number }[];
  /** Verdicts of the last 24 h whose system-of-record check got no answer: they stand as judged. */
  verifierUnavailable: number;
  runs: { completed: Point[]; failed: Point[]; stalled: Point[] };
  checkpoints: Checkpoint[];
  failedConversations: { sessionId: string; intent: string | null; summary: string | null; category: string | null; at: number }[];
  failedRuns: { sessionId: string; taskDescription: string; status: string; completedTasks: number; totalTasks: number; at: number }[];
}

const slots = (now: number, hours: number, step: number) => {
  const from = Math.floor((now - hours * HOUR) / step) * step + step;
  return Array.from({ length: Math.round((hours * HOUR) / step) }, (_, i) => from + i * step);
};

/** Everything the status page shows for the chosen range, read from rollups and indexed tables. */
export async function gatherStatus(deps: Deps, now: number, full: boolean, range: RangeName = "24h"): Promise<StatusData> {
  const { db } = deps;
  const r = RANGES[range];
  const fine = slots(now, r.hours, r.fine);
  const coarse = slots(now, r.hours, r.coarse);
  const from = coarse[0]!;
  // Under a quarter hour only the per-minute table has the detail.
  const [table, col] = r.fine < 15 * MIN ? ["webhook_rollups", "minute"] : ["webhook_rollups_15m", "slot"];
  const verdictSql =
    r.coarse >= HOUR
      ? `SELECT (hour / ${r.coarse}) * ${r.coarse} AS slot, status AS s, SUM(n) AS n FROM monitoring_hourly WHERE hour >= ? GROUP BY 1, 2`
      : `SELECT (analyzed_at / ${r.coarse}) * ${r.coarse} AS slot, verification_status AS s, COUNT(*) AS n FROM monitoring_results WHERE analyzed_at >= ? GROUP BY 1, 2`;

  // The failure lists (full view only) go in the same batch, behind the rollups' catch-up, and
  // the report, job and checkpoint reads run beside it: at Turso's distance every sequential
  // call is a round trip.
  const failureLists = full
    ? [
        {
          sql: `SELECT session_id, intent_type, verdict_summary, json_extract(diagnostic_report_json, '$.category') AS category, analyzed_at
                FROM (${latestWithStatus("monitoring_results", "verification_status", ["fail", "partial"], "analyzed_at DESC")})`,
          args: [10, 10, 10],
        },
        {
          sql: `SELECT session_id, task_description, status, completed_tasks, total_tasks, completed_at FROM (${latestWithStatus("orchestrations", "status", ["failed", "partial"], "started_at DESC, id DESC")})`,
          args: [10, 10, 10],
        },
      ]
    : [];
  const [
    [fineRows, rollups, verdictRows, categories, finished, stalls, firing, unverified, conversations, runs],
    report,
    jobs,
    checkpoints,
  ] = await Promise.all([
    readCaughtUp(db, [
      {
        sql: `SELECT (${col} / ${r.fine}) * ${r.fine} AS slot, SUM(value) AS total FROM ${table} WHERE ${col} >= ? AND metric = 'delivery' GROUP BY 1`,
        args: [fine[0]!],
      },
      {
        sql: `SELECT (${col} / ${r.coarse}) * ${r.coarse} AS slot, metric, key, SUM(value) AS total, MAX(value) AS peak FROM ${table} WHERE ${col} >= ? GROUP BY 1, 2, 3`,
        args: [from],
      },
      { sql: verdictSql, args: [from] },
      {
        sql: `SELECT json_extract(diagnostic_report_json, '$.category') AS category, COUNT(*) AS n FROM monitoring_results
                WHERE analyzed_at >= ? AND diagnostic_status = 'complete' GROUP BY 1 ORDER BY n DESC LIMIT 5`,
        args: [from],
      },
      {
        sql: `SELECT (completed_at / ${r.coarse}) * ${r.coarse} AS slot, status, COUNT(*) AS n FROM orchestrations WHERE completed_at >= ? GROUP BY 1, 2`,
        args: [from],
      },
      {
        sql: `SELECT (created_at / ${r.coarse}) * ${r.coarse} AS slot, COUNT(*) AS n FROM events WHERE type = 'run_stalled' AND created_at >= ? GROUP BY 1`,
        args: [from],
      },
      { sql: "SELECT id, rule, severity, summary, fired_at FROM alerts WHERE state = 'firing' ORDER BY fired_at DESC LIMIT 50", args: [] },
      {
        sql: "SELECT COUNT(*) AS n FROM monitoring_results WHERE verifier_status = 'unavailable' AND analyzed_at >= ?",
        args: [now - 24 * HOUR],
      },
      ...failureLists,
    ]),
    buildStabilityReport(deps, now, 24),
    Promise.all(JOB_NAMES.map((job) => jobHealth(db, job, now, 1))),
    listCheckpoints(db, { limit: 6 }),
  ]);

  const deliveriesBySlot = new Map(fineRows!.rows.map((row) => [Number(row.slot), Number(row.total)]));
  const bySlot = new Map<number, { metric: string; key: string; total: number; peak: number }[]>();
  for (const row of rollups!.rows) {
    const slot = Number(row.slot);
    bySlot.set(slot, [
      ...(bySlot.get(slot) ?? []),
      { metric: String(row.metric), key: String(row.key), total: Number(row.total), peak: Number(row.peak) },
    ]);
  }
  const sum = (slot: number, metric: string) =>
    (bySlot.get(slot) ?? []).filter((x) => x.metric === metric).reduce((a, x) => a + x.total, 0);
  const latency = (slot: number, p: number) => {
    const buckets = new Map<number, number>();
    let max = 0;
    for (const x of bySlot.get(slot) ?? []) {
      if (x.metric === "latency_bucket") buckets.set(Number(x.key), (buckets.get(Number(x.key)) ?? 0) + x.total);
      if (x.metric === "latency_max") max = Math.max(max, x.peak);
    }
    return percentile(buckets, p, max);
  };
  const rate = (slot: number, metric: string) => {
    const d = sum(slot, "delivery");
    return d > 0 ? sum(slot, metric) / d : null;
  };
  const count = (rows: { slot: number; key: string; n: number }[], key: string) => (slot: number) =>
    rows.find((x) => x.slot === slot && x.key === key)?.n ?? 0;
  const verdictData = verdictRows!.rows.map((x) => ({ slot: Number(x.slot), key: String(x.s), n: Number(x.n) }));
  const runData = finished!.rows.map((x) => ({ slot: Number(x.slot), key: String(x.status), n: Number(x.n) }));
  const stallData = stalls!.rows.map((x) => ({ slot: Number(x.slot), key: "stalled", n: Number(x.n) }));
  const series = (at: number[], f: (slot: number) => number | null) => at.map((slot) => ({ at: slot, value: f(slot) }));

  let failedConversations: StatusData["failedConversations"] = [];
  let failedRuns: StatusData["failedRuns"] = [];
  if (conversations && runs) {
    failedConversations = conversations.rows.map((r) => ({
      sessionId: String(r.session_id),
      intent: r.intent_type === null ? null : String(r.intent_type),
      summary: r.verdict_summary === null ? null : String(r.verdict_summary),
      category: r.category === null ? null : String(r.category),
      at: Number(r.analyzed_at),
    }));
    failedRuns = runs.rows.map((r) => ({
      sessionId: String(r.session_id),
      taskDescription: String(r.task_description),
      status: String(r.status),
      completedTasks: Number(r.completed_tasks),
      totalTasks: Number(r.total_tasks),
      at: Number(r.completed_at),
    }));
  }

  return {
    now,
    full,
    range,
    monitoringConfigured: Boolean(deps.monitoring?.source && deps.monitoring.judge),
    report,
    firing: firing!.rows.map((x) => ({
      id: Number(x.id),
      rule: String(x.rule),
      severity: String(x.severity),
      summary: String(x.summary),
      since: Number(x.fired_at),
    })),
    jobs,
    deliveries: series(fine, (slot) => deliveriesBySlot.get(slot) ?? 0),
    successRate: series(coarse, (slot) => rate(slot, "processed")),
    errorRate: series(coarse, (slot) => rate(slot, "error")),
    p50: series(coarse, (slot) => latency(slot, 0.5)),
    p95: series(coarse, (slot) => latency(slot, 0.95)),
    signatureFailures: series(coarse, (slot) => sum(slot, "signature_failure")),
    verdicts: {
      pass: series(coarse, count(verdictData, "pass")),
      partial: series(coarse, count(verdictData, "partial")),
      fail: series(coarse, count(verdictData, "fail")),
    },
    topCategories: categories!.rows.map((x) => ({ category: String(x.category), count: Number(x.n) })),
    verifierUnavailable: Number(unverified!.rows[0]?.n ?? 0),
    runs: {
      completed: series(coarse, count(runData, "completed")),
      failed: series(coarse, (slot) => count(runData, "failed")(slot) + count(runData, "partial")(slot)),
      stalled: series(coarse, count(stallData, "stalled")),
    },
    checkpoints,
    failedConversations,
    failedRuns,
  };
}
