import type { Deps } from "../deps.js";
import { jobHealth, type JobHealth } from "../jobs/job-health.js";
import { latestWithStatus } from "../runs/queries.js";
import { JOB_NAMES } from "../jobs/registry.js";
import { listCheckpoints, type Checkpoint } from "../stability/checkpoints.js";
import { percentile } from "../stability/latency.js";
import { buildStabilityReport, type StabilityReport } from "../stability/report.js";

const QUARTER = 15 * 60_000;
const HOUR = 3600_000;

export interface Point {
  at: number;
  value: number | null;
}

export interface StatusData {
  now: number;
  full: boolean;
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
  runs: { completed: Point[]; failed: Point[]; stalled: Point[] };
  checkpoints: Checkpoint[];
  failedConversations: { sessionId: string; intent: string | null; summary: string | null; category: string | null; at: number }[];
  failedRuns: { sessionId: string; taskDescription: string; status: string; completedTasks: number; totalTasks: number; at: number }[];
}

const slots = (from: number, step: number, count: number) => Array.from({ length: count }, (_, i) => from + i * step);

/** Everything the status page shows for the last 24 hours, read from rollups and indexed tables. */
export async function gatherStatus(deps: Deps, now: number, full: boolean): Promise<StatusData> {
  const { db } = deps;
  const qFrom = Math.floor((now - 24 * HOUR) / QUARTER) * QUARTER + QUARTER;
  const hFrom = Math.floor((now - 24 * HOUR) / HOUR) * HOUR + HOUR;
  const quarters = slots(qFrom, QUARTER, 96);
  const hours = slots(hFrom, HOUR, 24);

  // The failure lists (full view only) go in the same read batch, and the report, job and
  // checkpoint reads run beside it: at Turso's distance every sequential call is a round trip.
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
  const [[rollups, verdictRows, categories, finished, stalls, firing, conversations, runs], report, jobs, checkpoints] = await Promise.all([
    db.batch(
      [
        {
          sql: "SELECT slot, metric, key, SUM(value) AS total, MAX(value) AS peak FROM webhook_rollups_15m WHERE slot >= ? GROUP BY slot, metric, key",
          args: [qFrom],
        },
        { sql: "SELECT hour AS slot, status AS s, SUM(n) AS n FROM monitoring_hourly WHERE hour >= ? GROUP BY 1, 2", args: [hFrom] },
        {
          sql: `SELECT json_extract(diagnostic_report_json, '$.category') AS category, COUNT(*) AS n FROM monitoring_results
                WHERE analyzed_at >= ? AND diagnostic_status = 'complete' GROUP BY 1 ORDER BY n DESC LIMIT 5`,
          args: [hFrom],
        },
        { sql: `SELECT (completed_at / ${HOUR}) * ${HOUR} AS slot, status, COUNT(*) AS n FROM orchestrations WHERE completed_at >= ? GROUP BY 1, 2`, args: [hFrom] },
        { sql: `SELECT (created_at / ${HOUR}) * ${HOUR} AS slot, COUNT(*) AS n FROM events WHERE type = 'run_stalled' AND created_at >= ? GROUP BY 1`, args: [hFrom] },
        { sql: "SELECT id, rule, severity, summary, fired_at FROM alerts WHERE state = 'firing' ORDER BY fired_at DESC LIMIT 50", args: [] },
        ...failureLists,
      ],
      "read",
    ),
    buildStabilityReport(deps, now, 24),
    Promise.all(JOB_NAMES.map((job) => jobHealth(db, job, now, 1))),
    listCheckpoints(db, { limit: 6 }),
  ]);

  const bySlot = new Map<number, { metric: string; key: string; total: number; peak: number }[]>();
  for (const r of rollups!.rows) {
    const slot = Number(r.slot);
    bySlot.set(slot, [...(bySlot.get(slot) ?? []), { metric: String(r.metric), key: String(r.key), total: Number(r.total), peak: Number(r.peak) }]);
  }
  const sum = (slot: number, metric: string) => (bySlot.get(slot) ?? []).filter((r) => r.metric === metric).reduce((a, r) => a + r.total, 0);
  // Hourly figures are the sum of their four quarters.
  const hourSum = (hour: number, metric: string) => [0, 1, 2, 3].reduce((a, i) => a + sum(hour + i * QUARTER, metric), 0);
  const hourLatency = (hour: number, p: number) => {
    const buckets = new Map<number, number>();
    let max = 0;
    for (let i = 0; i < 4; i++) {
      for (const r of bySlot.get(hour + i * QUARTER) ?? []) {
        if (r.metric === "latency_bucket") buckets.set(Number(r.key), (buckets.get(Number(r.key)) ?? 0) + r.total);
        if (r.metric === "latency_max") max = Math.max(max, r.peak);
      }
    }
    return percentile(buckets, p, max);
  };
  const rate = (hour: number, metric: string) => {
    const d = hourSum(hour, "delivery");
    return d > 0 ? hourSum(hour, metric) / d : null;
  };
  const count = (rows: { slot: number; key: string; n: number }[], key: string) => (slot: number) => rows.find((r) => r.slot === slot && r.key === key)?.n ?? 0;
  const verdictData = verdictRows!.rows.map((r) => ({ slot: Number(r.slot), key: String(r.s), n: Number(r.n) }));
  const runData = finished!.rows.map((r) => ({ slot: Number(r.slot), key: String(r.status), n: Number(r.n) }));
  const stallData = stalls!.rows.map((r) => ({ slot: Number(r.slot), key: "stalled", n: Number(r.n) }));
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
    report,
    firing: firing!.rows.map((r) => ({ id: Number(r.id), rule: String(r.rule), severity: String(r.severity), summary: String(r.summary), since: Number(r.fired_at) })),
    jobs,
    deliveries: series(quarters, (s) => sum(s, "delivery")),
    successRate: series(hours, (h) => rate(h, "processed")),
    errorRate: series(hours, (h) => rate(h, "error")),
    p50: series(hours, (h) => hourLatency(h, 0.5)),
    p95: series(hours, (h) => hourLatency(h, 0.95)),
    signatureFailures: series(hours, (h) => hourSum(h, "signature_failure")),
    verdicts: { pass: series(hours, count(verdictData, "pass")), partial: series(hours, count(verdictData, "partial")), fail: series(hours, count(verdictData, "fail")) },
    topCategories: categories!.rows.map((r) => ({ category: String(r.category), count: Number(r.n) })),
    runs: {
      completed: series(hours, count(runData, "completed")),
      failed: series(hours, (h) => count(runData, "failed")(h) + count(runData, "partial")(h)),
      stalled: series(hours, count(stallData, "stalled")),
    },
    checkpoints,
    failedConversations,
    failedRuns,
  };
}
