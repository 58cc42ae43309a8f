import type { Deps } from "../deps.js";
import type { DomainEventType } from "../events/event-log.js";
import { jobHealth } from "../jobs/job-health.js";
import { JOB_NAMES } from "../jobs/types.js";
import { lastRunWithStatus } from "../jobs/job-runs.js";
import { getState } from "../monitoring/state.js";
import { percentile } from "../stability/latency.js";
import { readCaughtUp } from "../stability/rollup-catch-up.js";
import { isDeclaredSource, sourcesAreDeclared } from "../stability/known-sources.js";
import type { Rule, Signal } from "./rules.js";

/** One alert-worthy condition right now: its labels key the alert instance. */
export interface Candidate {
  labels: Record<string, string>;
  summary: string;
}

type SignalFn = (deps: Deps, now: number, rule: Rule) => Promise<Candidate[]>;
const MIN = 60_000;

const fromEvents =
  (type: DomainEventType, label: string, describe: (p: Record<string, unknown>) => string): SignalFn =>
  async ({ db }, now, rule) => {
    const rs = await db.execute({
      sql: "SELECT subject, payload FROM events WHERE type = ? AND created_at >= ? ORDER BY created_at",
      args: [type, now - rule.windowMinutes * MIN],
    });
    return rs.rows.map((r) => ({
      labels: { [label]: String(r.subject) },
      summary: describe(JSON.parse(String(r.payload)) as Record<string, unknown>),
    }));
  };

async function perSource(deps: Deps, metric: string, since: number) {
  const [rs] = await readCaughtUp(deps.db, [
    {
      sql: "SELECT source, key, SUM(value) AS total, MAX(value) AS peak FROM webhook_rollups WHERE metric = ? AND minute >= ? GROUP BY source, key",
      args: [metric, since],
    },
  ]);
  return rs!.rows.map((r) => ({ source: String(r.source), key: String(r.key), total: Number(r.total), peak: Number(r.peak) }));
}
const sumBySource = (rows: { source: string; total: number }[]) => {
  const m = new Map<string, number>();
  for (const r of rows) m.set(r.source, (m.get(r.source) ?? 0) + r.total);
  return m;
};

export const SIGNAL_FNS: Record<Signal | "events", SignalFn> = {
  run_completed: fromEvents(
    "run_completed",
    "session",
    (p) => `run ${p.sessionId} completed: ${p.completedTasks}/${Number(p.completedTasks) + Number(p.failedTasks)} tasks`,
  ),
  run_failed: fromEvents(
    "run_failed",
    "session",
    (p) => `run ${p.sessionId} ${p.status}: ${p.completedTasks} completed, ${p.failedTasks} failed`,
  ),
  archival_failure: fromEvents("archival_failure", "session", (p) => `archive of run ${p.sessionId} failed: ${p.reason}`),
  step_failure: fromEvents("step_failure", "execution", (p) => `${p.agentName} failed${p.errorMessage ? `: ${p.errorMessage}` : ""}`),

  async run_stalled({ db }, now) {
    const rs = await db.execute(
      "SELECT session_id, last_progress_at FROM orchestrations WHERE status = 'running' AND stalled_at IS NOT NULL AND stalled_at > last_progress_at",
    );
    return rs.rows.map((r) => ({
      labels: { session: String(r.session_id) },
      summary: `run ${r.session_id} has made no progress for ${Math.round((now - Number(r.last_progress_at)) / MIN)} minutes`,
    }));
  },

  async signature_failure(deps, now, rule) {
    const rows = await perSource(deps, "signature_failure", now - rule.windowMinutes * MIN);
    return [...sumBySource(rows)].map(([source, n]) => ({
      labels: { source },
      summary: `${n} signature failure(s) from ${source} in ${rule.windowMinutes} min (${rows
        .filter((r) => r.source === source)
        .map((r) => r.key)
        .join(", ")})`,
    }));
  },

  async zero_deliveries({ db, env }, now, rule) {
    const [rs] = await readCaughtUp(db, [
      "SELECT source, MAX(minute) AS last FROM webhook_rollups WHERE metric = 'delivery' GROUP BY source",
    ]);
    const limit = (rule.threshold ?? rule.windowMinutes) * MIN;
    // With sources declared, only those are watched: taking one off the list retires it.
    const watched = (source: string) => !sourcesAreDeclared(env) || isDeclaredSource(env, source);
    return rs!.rows
      .filter((r) => watched(String(r.source)) && now - (Number(r.last) + MIN) > limit)
      .map((r) => ({
        labels: { source: String(r.source) },
        summary: `no deliveries from ${r.source} for ${Math.round((now - Number(r.last) - MIN) / MIN)} minutes`,
      }));
  },

  async processing_errors(deps, now, rule) {
    const rows = await perSource(deps, "error", now - rule.windowMinutes * MIN);
    return [...sumBySource(rows)].map(([source, n]) => ({
      labels: { source },
      summary: `${n} processing error(s) from ${source} in ${rule.windowMinutes} min (${rows
        .filter((r) => r.source === source)
        .map((r) => `${r.key}: ${r.total}`)
        .join(", ")})`,
    }));
  },

  async error_rate(deps, now, rule) {
    const since = now - rule.windowMinutes * MIN;
    const deliveries = sumBySource(await perSource(deps, "delivery", since));
    const errors = sumBySource(await perSource(deps, "error", since));
    const threshold = rule.threshold ?? 0.05;
    return [...deliveries]
      .filter(([source, d]) => d > 0 && (errors.get(source) ?? 0) / d > threshold)
      .map(([source, d]) => ({
        labels: { source },
        summary: `error rate ${(((errors.get(source) ?? 0) / d) * 100).toFixed(1)}% over ${rule.windowMinutes} min from ${source} (limit ${(threshold * 100).toFixed(1)}%)`,
      }));
  },

  async response_time(deps, now, rule) {
    const since = now - rule.windowMinutes * MIN;
    const buckets = await perSource(deps, "latency_bucket", since);
    const maxima = new Map((await perSource(deps, "latency_max", since)).map((r) => [r.source, r.peak]));
    const out: Candidate[] = [];
    for (const source of new Set(buckets.map((b) => b.source))) {
      const p95 = percentile(
        new Map(buckets.filter((b) => b.source === source).map((b) => [Number(b.key), b.total])),
        0.95,
        maxima.get(source) ?? 0,
      );
      if (p95 !== null && p95 > (rule.threshold ?? 10_000))
        out.push({
          labels: { source },
          summary: `p95 response time ${p95} ms over ${rule.windowMinutes} min from ${source} (limit ${rule.threshold ?? 10_000} ms)`,
        });
    }
    return out;
  },

  async fulfillment_failure_rate({ db }, now, rule) {
    const rs = await db.execute({
      sql: "SELECT verification_status AS s, COUNT(*) AS n FROM monitoring_results WHERE analyzed_at >= ? AND verification_status IN ('pass', 'fail', 'partial') GROUP BY 1",
      args: [now - rule.windowMinutes * MIN],
    });
    const by = Object.fromEntries(rs.rows.map((r) => [String(r.s), Number(r.n)]));
    const judged = (by.pass ?? 0) + (by.fail ?? 0) + (by.partial ?? 0);
    const rate = judged > 0 ? (by.fail ?? 0) / judged : 0;
    // A handful of conversations is not a rate.
    if (judged < 5 || rate <= (rule.threshold ?? 0.2)) return [];
    return [
      { labels: {}, summary: `${by.fail} of ${judged} conversations failed in ${rule.windowMinutes} min (${(rate * 100).toFixed(0)}%)` },
    ];
  },

  async monitoring_errors({ db }, now, rule) {
    const rs = await db.execute({
      sql: "SELECT COUNT(*) AS n FROM monitoring_results WHERE verification_status = 'error' AND analyzed_at >= ?",
      args: [now - rule.windowMinutes * MIN],
    });
    const errors = Number(rs.rows[0]?.n ?? 0);
    // A system-of-record check that gave up: the verdict stands unconfirmed.
    const unconfirmed = await db.execute({
      sql: "SELECT COUNT(*) AS n FROM monitoring_results WHERE verifier_status = 'unavailable' AND analyzed_at >= ? AND verifier_retry_at IS NULL",
      args: [now - rule.windowMinutes * MIN],
    });
    const unverified = Number(unconfirmed.rows[0]?.n ?? 0);
    const lastError = await lastRunWithStatus(db, "monitor", "error");
    const lastOk = await lastRunWithStatus(db, "monitor", "ok");
    const failing = lastError !== undefined && (lastOk === undefined || lastError.startedAt > lastOk.startedAt);
    if (errors === 0 && unverified === 0 && !failing) return [];
    return [
      {
        labels: {},
        summary: [
          errors > 0 ? `${errors} conversation(s) could not be analysed in ${rule.windowMinutes} min` : "",
          unverified > 0 ? `${unverified} verdict(s) not confirmed: the system-of-record verifier stayed unavailable` : "",
          failing ? `the last monitor run failed: ${lastError!.error}` : "",
        ]
          .filter(Boolean)
          .join("; "),
      },
    ];
  },

  async job_missed({ db }, now) {
    const health = await Promise.all(JOB_NAMES.map((job) => jobHealth(db, job, now, 1)));
    return health
      .filter((h) => h.missed)
      .map((h) => ({ labels: { job: h.job }, summary: `the ${h.job} cron (${h.schedule}) missed ${h.missedIntervals}+ scheduled runs` }));
  },

  /** A rules-file rule over any event types: one alert while at least `threshold` (1) of them fall in the window. */
  async events({ db }, now, rule) {
    const rs = await db.execute({
      // The bare subject is the one of MAX(created_at) (SQLite's min/max bare-column rule).
      sql: `SELECT type, COUNT(*) AS n, subject, MAX(created_at) AS last FROM events
            WHERE type IN (SELECT value FROM json_each(?)) AND created_at >= ? GROUP BY type ORDER BY last DESC`,
      args: [JSON.stringify(rule.eventTypes ?? []), now - rule.windowMinutes * MIN],
    });
    const total = rs.rows.reduce((a, r) => a + Number(r.n), 0);
    if (total === 0 || total < (rule.threshold ?? 1)) return [];
    const latest = rs.rows[0]!;
    return [
      {
        labels: {},
        summary: `${total} event(s) in ${rule.windowMinutes} min (${rs.rows.map((r) => `${r.type}: ${r.n}`).join(", ")}); latest ${latest.type} of ${latest.subject}`,
      },
    ];
  },

  async judge_budget_exhausted({ db }, now, rule) {
    const at = Number((await getState(db, "judge_budget_exhausted_at")) ?? 0);
    return at >= now - rule.windowMinutes * MIN
      ? [{ labels: {}, summary: "judge spend cap reached: conversation analysis is paused" }]
      : [];
  },

  async monitoring_lag({ db }, now, rule) {
    const watermark = await getState(db, "watermark");
    if (watermark === undefined) return [];
    const behindMin = Math.floor((now - Number(watermark)) / MIN);
    if (behindMin <= (rule.threshold ?? 15)) return [];
    const status = JSON.parse((await getState(db, "import_status")) ?? "{}") as { error?: string | null };
    return [
      { labels: {}, summary: `the Langfuse import is ${behindMin} minutes behind${status.error ? ` (last import: ${status.error})` : ""}` },
    ];
  },
};

/** While the source alert fires, the targets with the same labels (or any, when none are named) are muted. */
export const INHIBITIONS: { source: string; sourceLabels?: Record<string, string>; targets: string[]; equal: string[] }[] = [
  { source: "zero_deliveries", targets: ["error_rate", "response_time"], equal: ["source"] },
  {
    source: "job_missed",
    sourceLabels: { job: "monitor" },
    targets: ["fulfillment_failure_rate", "monitoring_errors", "judge_budget_exhausted", "monitoring_lag"],
    equal: [],
  },
];
