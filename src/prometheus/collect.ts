import { firingCounts } from "../alerts/store/alerts.js";
import type { Db } from "../db/client.js";
import { readAll } from "../db/query.js";
import { jobRunCounts, lastRunPerJob } from "../job-records/job-runs.js";
import { JOB_NAMES } from "../job-records/names.js";
import { conversationCost, NO_COST, type ConversationCost } from "../monitoring/cost-queries.js";
import { verdictsByIntentAndStatus } from "../monitoring/store/hourly.js";
import { diagnosesByCategory } from "../monitoring/store/results.js";
import { judgeSpendOn } from "../monitoring/store/spend.js";
import { importWatermark } from "../monitoring/store/state.js";
import { LATENCY_BOUNDS } from "../stability/latency.js";
import type { Metric, RollupRow } from "../stability/rollup-metrics.js";
import { periodTotalsBySource } from "../stability/store/webhook-rollups.js";
import { type Family, histogramSamples, type Sample } from "./exposition.js";

const DAY = 86_400_000;
const HOUR = 3600_000;
const seconds = (ms: number) => ms / 1000;

/**
 * Counters count since 00:00 UTC and restart each day: a serverless function keeps no process
 * to count in, and summing the kept history at every scrape would read a growing table. rate()
 * and increase() treat the midnight drop as the counter reset it is.
 */
const SINCE = "since 00:00 UTC (resets daily)";

type SourceRow = RollupRow & { source: string };

const bySourceAndKey = (rows: SourceRow[], metric: Metric, keyLabel?: string): Sample[] =>
  rows
    .filter((r) => r.metric === metric)
    .map((r) => ({ labels: keyLabel ? { source: r.source, [keyLabel]: r.key } : { source: r.source }, value: r.total }));

function latencyHistogram(rows: SourceRow[]): Sample[] {
  const sources = [...new Set(rows.filter((r) => r.metric === "latency_bucket").map((r) => r.source))].sort();
  return sources.flatMap((source) => {
    const mine = rows.filter((r) => r.source === source);
    const counts = new Map(mine.filter((r) => r.metric === "latency_bucket").map((r) => [Number(r.key), r.total]));
    const sumMs = mine.filter((r) => r.metric === "latency_sum").reduce((a, r) => a + r.total, 0);
    // Bounds in seconds, Prometheus' base unit; the rollups keep milliseconds.
    return histogramSamples({ source }, LATENCY_BOUNDS.map(seconds), counts, seconds(sumMs));
  });
}

/**
 * Every family of /api/metrics from one read batch (one round trip, no writes). Webhook counts
 * are the rollups as the heartbeat last caught them up (at most a minute behind): catching up
 * here would make every scrape a write.
 */
export async function gatherMetrics(db: Db, now: number): Promise<Family[]> {
  const dayStart = Math.floor(now / DAY) * DAY;
  const [rollups, verdicts, diagnoses, spend, watermark, runs, lastRuns, firing, cost24h, cost1h] = await readAll(db, [
    periodTotalsBySource(dayStart, now + 1),
    verdictsByIntentAndStatus(dayStart),
    diagnosesByCategory(dayStart),
    judgeSpendOn(now),
    importWatermark(),
    jobRunCounts(dayStart),
    lastRunPerJob(JOB_NAMES),
    firingCounts(),
    conversationCost("all", now - DAY, now + 1),
    conversationCost("all", now - HOUR, now + 1),
  ]);
  const costs: [string, ConversationCost][] = [
    ["24h", cost24h[0]?.cost ?? NO_COST],
    ["1h", cost1h[0]?.cost ?? NO_COST],
  ];
  const counter = (name: string, help: string, samples: Sample[]): Family => ({
    name,
    help: `${help}, ${SINCE}.`,
    type: "counter",
    samples,
  });
  return [
    counter(
      "vigil_webhook_deliveries_total",
      "Deliveries received from the bot (message.received, delivery, invalid_payload)",
      bySourceAndKey(rollups, "delivery"),
    ),
    counter("vigil_webhook_processed_total", "Messages the bot reported processed", bySourceAndKey(rollups, "processed")),
    counter("vigil_webhook_responses_total", "Responses the bot reported sent", bySourceAndKey(rollups, "response")),
    counter("vigil_webhook_errors_total", "Errors the bot reported, by error type", bySourceAndKey(rollups, "error", "type")),
    counter(
      "vigil_webhook_signature_failures_total",
      "Webhooks refused for their signature, by reason",
      bySourceAndKey(rollups, "signature_failure", "reason"),
    ),
    counter("vigil_webhook_events_total", "Webhook events accepted, by event type", bySourceAndKey(rollups, "event", "type")),
    {
      name: "vigil_response_time_seconds",
      help: `Response times the bot reported with response.sent, ${SINCE}.`,
      type: "histogram",
      samples: latencyHistogram(rollups),
    },
    {
      name: "vigil_verdicts",
      // A gauge: the system-of-record check can turn a stored pass into a fail, so a status's count may go down.
      help: `Conversations judged ${SINCE}, by intent and verdict status.`,
      type: "gauge",
      samples: verdicts.map((v) => ({ labels: { intent: v.intent, status: v.status }, value: v.n })),
    },
    counter(
      "vigil_diagnoses_total",
      "Failed conversations diagnosed, by failure category",
      diagnoses.map((d) => ({ labels: { category: d.category }, value: d.n })),
    ),
    counter("vigil_judge_tokens_total", "Tokens the judge model used (input and output)", [{ labels: {}, value: spend.tokens }]),
    counter("vigil_judge_cost_usd_total", "What the judge model cost, in US dollars", [{ labels: {}, value: spend.costUsd }]),
    {
      name: "vigil_conversation_cost_usd",
      // Absent, never 0, when no conversation of the window carried a Langfuse cost. The judge's spend is vigil_judge_cost_usd_total.
      help: "What the bot spent per judged conversation (per: conversation) and per fulfilled one (per: fulfilled_conversation) over the window, in US dollars, from Langfuse's observation costs; absent when not measured.",
      type: "gauge",
      samples: costs.flatMap(([window, c]) =>
        (
          [
            ["conversation", c.perConversationUsd],
            ["fulfilled_conversation", c.perFulfilledUsd],
          ] as const
        ).flatMap(([per, v]) => (v === null ? [] : [{ labels: { window, per }, value: v }])),
      ),
    },
    {
      name: "vigil_conversations_judged",
      help: "Conversations judged over the window, by whether Langfuse knew what they cost (cost_measured).",
      type: "gauge",
      samples: costs.flatMap(([window, c]) => [
        { labels: { window, cost_measured: "true" }, value: c.measured },
        { labels: { window, cost_measured: "false" }, value: c.conversations - c.measured },
      ]),
    },
    counter(
      "vigil_job_runs_total",
      "Cron job runs started, by job and outcome",
      runs.map((r) => ({ labels: { job: r.job, status: r.status }, value: r.n })),
    ),
    {
      name: "vigil_job_lag_seconds",
      help: "Seconds since each cron job last started a run (absent for a job that never ran).",
      type: "gauge",
      samples: lastRuns.filter((r) => r.at !== null).map((r) => ({ labels: { job: r.job }, value: seconds(now - r.at!) })),
    },
    {
      name: "vigil_monitoring_import_lag_seconds",
      help: "How far behind now the Langfuse import has read (absent before its first import).",
      type: "gauge",
      samples: watermark === null ? [] : [{ labels: {}, value: seconds(Math.max(0, now - watermark)) }],
    },
    {
      name: "vigil_alerts_firing",
      help: "Alert instances firing now, by rule and severity.",
      type: "gauge",
      samples: firing.map((f) => ({ labels: { rule: f.rule, severity: f.severity }, value: f.n })),
    },
  ];
}
