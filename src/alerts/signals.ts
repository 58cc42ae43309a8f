import { readAll, readOne } from "../db/query.js";
import { eventCountsByType, eventsSince } from "../event-log/event-log.js";
import type { DomainEventType } from "../event-log/event-log.js";
import { jobHealth } from "../job-records/job-health.js";
import { JOB_NAMES } from "../job-records/names.js";
import { lastRunWithStatus } from "../job-records/job-runs.js";
import { getState } from "../monitoring/store/state.js";
import { QUALITY_FLAGS, readQualityChecks } from "../monitoring/quality-counts.js";
import {
  analysisErrorCount,
  judgedCounts,
  latestScoreRefusal,
  scoresRefusedCount,
  verifierUnavailableCount,
} from "../monitoring/store/results.js";
import { stalledRuns } from "../runs/store/runs.js";
import { describeErrorGroup } from "../stability/event-details.js";
import { latencyPercentile } from "../stability/latency.js";
import { qualityLabel } from "../stability/quality-checks.js";
import { perDelivery } from "../stability/rollup-metrics.js";
import { exchangesBySource, lastDeliveryBySource, readRollups, totalsBySource } from "../stability/store/webhook-rollups.js";
import { errorGroups } from "../stability/store/webhook-events.js";
import { isUnanswered, replyGraceMs } from "../stability/thresholds.js";
import { isDeclaredSource, sourcesAreDeclared } from "../stability/known-sources.js";
import { failingSenders } from "../stability/failing-senders.js";
import { costSpikeCandidates } from "./cost-signal.js";
import { regressionCandidates } from "./regression-signal.js";
import type { AlertContext } from "./context.js";
import type { Rule, Signal } from "./rules.js";

/** One alert-worthy condition right now: its labels key the alert instance. */
export interface Candidate {
  labels: Record<string, string>;
  summary: string;
}

type SignalFn = (deps: AlertContext, now: number, rule: Rule) => Promise<Candidate[]>;
const MIN = 60_000;

const fromEvents =
  (type: DomainEventType, label: string, describe: (p: Record<string, unknown>) => string): SignalFn =>
  async ({ db }, now, rule) => {
    const events = await readOne(db, eventsSince(type, now - rule.windowMinutes * MIN));
    return events.map((e) => ({ labels: { [label]: e.subject }, summary: describe(e.payload) }));
  };

const sumBySource = (rows: { source: string; total: number }[]) => {
  const m = new Map<string, number>();
  for (const r of rows) m.set(r.source, (m.get(r.source) ?? 0) + r.total);
  return m;
};

export const SIGNAL_FNS: Record<Signal | "events", SignalFn> = {
  regression: regressionCandidates,
  conversation_cost: costSpikeCandidates,
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
    return (await readOne(db, stalledRuns())).map((r) => ({
      labels: { session: r.sessionId },
      summary: `run ${r.sessionId} has made no progress for ${Math.round((now - r.lastProgressAt) / MIN)} minutes`,
    }));
  },

  async signature_failure(deps, now, rule) {
    // Judged against the source's verified traffic: strangers beside a delivering sender page no one.
    return (await failingSenders(deps.db, now, rule.windowMinutes)).map(({ source, failures, reasons }) => ({
      labels: { source },
      summary: `${failures} signature failure(s) from ${source} in ${rule.windowMinutes} min while its verified deliveries fell (${Object.keys(reasons).sort().join(", ")})`,
    }));
  },

  async zero_deliveries({ db, settings }, now, rule) {
    const [lastDeliveries] = await readRollups(db, [lastDeliveryBySource()]);
    const limit = (rule.threshold ?? rule.windowMinutes) * MIN;
    // With sources declared, only those are watched: taking one off the list retires it.
    const watched = (source: string) =>
      !sourcesAreDeclared(settings.webhooks.sources) || isDeclaredSource(settings.webhooks.sources, source);
    return lastDeliveries
      .filter((r) => watched(r.source) && now - (r.last + MIN) > limit)
      .map((r) => ({
        labels: { source: r.source },
        summary: `no deliveries from ${r.source} for ${Math.round((now - r.last - MIN) / MIN)} minutes`,
      }));
  },

  // Seed 003: an issue is documented with its "full error message" and its impact; so is the alert.
  async processing_errors(deps, now, rule) {
    const since = now - rule.windowMinutes * MIN;
    const [rows] = await readRollups(deps.db, [totalsBySource("error", since)]);
    const sources = [...sumBySource(rows)];
    const groups =
      sources.length > 0
        ? await readAll(
            deps.db,
            sources.map(([source]) => errorGroups(since, now + 1, source)),
          )
        : [];
    return sources.map(([source, n], i) => ({
      labels: { source },
      summary: `${n} processing error(s) from ${source} in ${rule.windowMinutes} min (${rows
        .filter((r) => r.source === source)
        .map((r) => `${r.key}: ${r.total}`)
        .join(", ")})${groups[i]!.length > 0 ? `: ${groups[i]!.map(describeErrorGroup).join("; ")}` : ""}`,
    }));
  },

  async error_rate(deps, now, rule) {
    const since = now - rule.windowMinutes * MIN;
    const [deliveryRows, errorRows] = await readRollups(deps.db, [totalsBySource("delivery", since), totalsBySource("error", since)]);
    const deliveries = sumBySource(deliveryRows);
    const errors = sumBySource(errorRows);
    const threshold = rule.threshold ?? deps.settings.stability.maxErrorRate;
    return [...deliveries].flatMap(([source, d]) => {
      const rate = perDelivery(errors.get(source) ?? 0, d);
      if (rate === null || rate <= threshold) return [];
      return [
        {
          labels: { source },
          summary: `error rate ${(rate * 100).toFixed(1)}% over ${rule.windowMinutes} min from ${source} (limit ${(threshold * 100).toFixed(1)}%)`,
        },
      ];
    });
  },

  async response_time(deps, now, rule) {
    const since = now - rule.windowMinutes * MIN;
    const [buckets, maxima] = await readRollups(deps.db, [totalsBySource("latency_bucket", since), totalsBySource("latency_max", since)]);
    const limit = rule.threshold ?? deps.settings.stability.responseTimeMs;
    const out: Candidate[] = [];
    for (const source of new Set(buckets.map((b) => b.source))) {
      const p95 = latencyPercentile(
        [...buckets, ...maxima].filter((r) => r.source === source),
        0.95,
      );
      if (p95 !== null && p95 > limit)
        out.push({
          labels: { source },
          summary: `p95 response time ${p95} ms over ${rule.windowMinutes} min from ${source} (limit ${limit} ms)`,
        });
    }
    return out;
  },

  /**
   * Messages received in the window and no reply since (replies are awaited the response-time
   * limit longer), from a source that reported replies in the day before: a bot that never
   * reports them is not called silent. Resolves as soon as a reply is counted.
   */
  async bot_not_responding(deps, now, rule) {
    const t = deps.settings.stability;
    const grace = replyGraceMs(t);
    const minute = Math.floor(now / MIN) * MIN;
    const from = minute - rule.windowMinutes * MIN - grace;
    const [rows] = await readRollups(deps.db, [exchangesBySource(from - 24 * 60 * MIN, from, from + rule.windowMinutes * MIN)]);
    const minReceived = { unansweredMinReceived: rule.threshold ?? t.unansweredMinReceived };
    return rows
      .filter((r) => isUnanswered(r, minReceived))
      .map((r) => ({
        labels: { source: r.source },
        summary: `bot not responding: ${r.received} message(s) received from ${r.source} in ${rule.windowMinutes} min and no reply sent since ${new Date(from).toISOString()}`,
      }));
  },

  async harmful_responses({ db }, now, rule) {
    const q = await readQualityChecks(db, now - rule.windowMinutes * MIN, now + 1);
    if (q.counts.harmful === 0) return [];
    return [
      {
        labels: {},
        summary: `${q.counts.harmful} of ${q.judged} judged conversation(s) in ${rule.windowMinutes} min with ${qualityLabel("harmful")}${q.examples.harmful?.length ? ` (e.g. ${q.examples.harmful.join(", ")})` : ""}`,
      },
    ];
  },

  async response_quality({ db }, now, rule) {
    const q = await readQualityChecks(db, now - rule.windowMinutes * MIN, now + 1);
    return QUALITY_FLAGS.filter((f) => f !== "harmful" && q.counts[f] > 0).map((f) => ({
      labels: { flag: f },
      summary: `${q.counts[f]} of ${q.judged} judged conversation(s) in ${rule.windowMinutes} min with ${qualityLabel(f)}${q.examples[f]?.length ? ` (e.g. ${q.examples[f]!.join(", ")})` : ""}`,
    }));
  },

  async fulfillment_failure_rate({ db }, now, rule) {
    const by = await readOne(db, judgedCounts(now - rule.windowMinutes * MIN));
    const judged = by.pass + by.fail + by.partial;
    const rate = judged > 0 ? by.fail / judged : 0;
    // A handful of conversations is not a rate.
    if (judged < 5 || rate <= (rule.threshold ?? 0.2)) return [];
    return [
      { labels: {}, summary: `${by.fail} of ${judged} conversations failed in ${rule.windowMinutes} min (${(rate * 100).toFixed(0)}%)` },
    ];
  },

  async monitoring_errors({ db }, now, rule) {
    const since = now - rule.windowMinutes * MIN;
    // A system-of-record check that gave up: the verdict stands unconfirmed.
    const [errors, unverified] = await readAll(db, [analysisErrorCount(since), verifierUnavailableCount(since, true)]);
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

  async job_missed({ db, settings }, now) {
    const health = await Promise.all(JOB_NAMES.map((job) => jobHealth(db, job, settings.jobs.schedules[job], now, 1)));
    return health
      .filter((h) => h.missed)
      .map((h) => ({ labels: { job: h.job }, summary: `the ${h.job} cron (${h.schedule}) missed ${h.missedIntervals}+ scheduled runs` }));
  },

  /** A rules-file rule over any event types: one alert while at least `threshold` (1) of them fall in the window. */
  async events({ db }, now, rule) {
    const counts = await readOne(db, eventCountsByType(rule.eventTypes ?? [], now - rule.windowMinutes * MIN));
    const total = counts.reduce((a, r) => a + r.n, 0);
    if (total === 0 || total < (rule.threshold ?? 1)) return [];
    const latest = counts[0]!;
    return [
      {
        labels: {},
        summary: `${total} event(s) in ${rule.windowMinutes} min (${counts.map((r) => `${r.type}: ${r.n}`).join(", ")}); latest ${latest.type} of ${latest.subject}${latest.message ? `: ${latest.message}` : ""}`,
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

  async scores_refused({ db }, now, rule) {
    const since = now - rule.windowMinutes * MIN;
    const [n, reason] = await readAll(db, [scoresRefusedCount(since), latestScoreRefusal(since)]);
    if (n === 0) return [];
    return [
      { labels: {}, summary: `Langfuse refused the scores of ${n} verdict(s) in ${rule.windowMinutes} min (latest: ${reason ?? "?"})` },
    ];
  },
};

/** While the source alert fires, the targets with the same labels (or any, when none are named) are muted. */
export const INHIBITIONS: { source: string; sourceLabels?: Record<string, string>; targets: string[]; equal: string[] }[] = [
  { source: "zero_deliveries", targets: ["error_rate", "response_time", "bot_not_responding"], equal: ["source"] },
  {
    source: "job_missed",
    sourceLabels: { job: "monitor" },
    targets: ["fulfillment_failure_rate", "monitoring_errors", "judge_budget_exhausted", "monitoring_lag"],
    equal: [],
  },
];
