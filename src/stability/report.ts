import type { Deps } from "../deps.js";
import { listCheckpoints, type Checkpoint } from "./checkpoints.js";
import { readDeliveryTimeline, readPeriodMetrics, type PeriodMetrics } from "./metrics.js";
import { readQualityChecks, type QualityChecks } from "../monitoring/quality-counts.js";
import type { Comparison } from "../regression/detect.js";
import { compareWithBaseline, regressionSettings } from "../regression/evaluate.js";
import { regressionRedFlags } from "../regression/red-flags.js";
import { qualityRedFlags, summaryLabels } from "./quality-checks.js";
import { redFlagsFor, thresholdsFrom, type RedFlag, type StabilityThresholds } from "./red-flags.js";

export interface Check {
  name: "success_rate" | "signature_failures" | "avg_response_time" | "error_rate" | "no_critical_red_flags";
  label: string;
  value: number | null;
  threshold: string;
  pass: boolean;
}

export interface StabilityReport {
  start: number;
  end: number;
  hours: number;
  /** NO_DATA: nothing received yet and nothing wrong — a fresh install, not a failing bot. */
  status: "STABLE" | "NEEDS_ATTENTION" | "NO_DATA";
  productionReady: boolean;
  metrics: PeriodMetrics;
  checks: Check[];
  redFlags: RedFlag[];
  checkpoints: Checkpoint[];
  recommendations: string[];
  qualityChecks: QualityChecks;
  /** The last hour and the last 24 h against the same hours of the baseline days (regression detection). */
  baseline: Comparison[];
  labels: ReturnType<typeof summaryLabels>;
}

/** The rolling verdict over the last `hours`, read from rollups and the checkpoints of the period. */
export async function buildStabilityReport(deps: Deps, now: number, hours: number): Promise<StabilityReport> {
  const start = now - hours * 3600_000;
  const t = thresholdsFrom(deps.env);
  // Independent reads, in parallel: at Turso's distance each is a network round trip.
  const regression = regressionSettings(deps.env);
  const [metrics, qualityChecks, timeline, newestFirst, baseline] = await Promise.all([
    readPeriodMetrics(deps.db, start, now + 1, t.responseTimeMs),
    readQualityChecks(deps.db, start, now + 1),
    readDeliveryTimeline(deps.db, start, now + 1),
    listCheckpoints(deps.db, { from: start, to: now, limit: Math.ceil(hours / 4) + 1 }),
    compareWithBaseline(deps.db, now, 60, regression),
  ]);
  const redFlags = [
    ...redFlagsFor(metrics, timeline, t, now),
    ...qualityRedFlags(qualityChecks, now),
    ...regressionRedFlags(baseline.findings, now, regression.baselineDays),
  ].sort((a, b) => a.at - b.at);
  const checkpoints = newestFirst.reverse();
  const checks = evaluateChecks(metrics, redFlags, t);
  const stable = checks.every((c) => c.pass);
  // Zero means the same here as in a checkpoint — "no traffic", never a pass. Before the first
  // delivery ever that is all there is to say ("no data yet", not a failing bot); after it, a
  // silence longer than ZERO_DELIVERY_MINUTES is a critical red flag, so never mistaken for this.
  const noData = metrics.deliveries === 0 && redFlags.every((f) => f.kind === "no_traffic");
  return {
    start,
    end: now,
    hours,
    status: noData ? "NO_DATA" : stable ? "STABLE" : "NEEDS_ATTENTION",
    productionReady: !noData && stable,
    metrics,
    checks,
    redFlags,
    checkpoints,
    recommendations: noData ? [NO_DATA_ADVICE] : recommend(metrics, checks, redFlags, t),
    qualityChecks,
    baseline: baseline.comparisons,
    labels: summaryLabels({
      signatureFailures: metrics.signatureFailures,
      avgResponseMs: metrics.responseTime.avgMs,
      responseTimeMs: t.responseTimeMs,
      quality: qualityChecks,
    }),
  };
}

const NO_DATA_ADVICE =
  "No data yet: nothing has been received. Point the bot's events at POST /api/webhooks/<source> (signed with WEBHOOK_SECRET), or send a test event with `npm run monitor -- send-event message.received`.";

export function evaluateChecks(m: PeriodMetrics, flags: RedFlag[], t: StabilityThresholds): Check[] {
  const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
  const avg = m.responseTime.avgMs;
  return [
    {
      name: "success_rate",
      label: "Success rate",
      value: m.successRate,
      threshold: `≥ ${pct(t.minSuccessRate)}`,
      pass: m.successRate !== null && m.successRate >= t.minSuccessRate,
    },
    {
      name: "signature_failures",
      label: "Signature failures",
      value: m.signatureFailures,
      threshold: `≤ ${t.maxSignatureFailures}`,
      pass: m.signatureFailures <= t.maxSignatureFailures,
    },
    {
      name: "avg_response_time",
      label: "Response time (avg)",
      value: avg,
      threshold: `< ${t.responseTimeMs / 1000} s`,
      pass: avg === null || avg < t.responseTimeMs,
    },
    {
      name: "error_rate",
      label: "Error rate",
      value: m.errorRate,
      threshold: `< ${pct(t.maxErrorRate)}`,
      pass: m.errorRate === null || m.errorRate < t.maxErrorRate,
    },
    {
      name: "no_critical_red_flags",
      label: "Critical red flags",
      value: flags.filter((f) => f.severity === "critical").length,
      threshold: "none",
      pass: !flags.some((f) => f.severity === "critical"),
    },
  ];
}

function recommend(m: PeriodMetrics, checks: Check[], flags: RedFlag[], t: StabilityThresholds): string[] {
  const failed = new Set(checks.filter((c) => !c.pass).map((c) => c.name));
  const out: string[] = [];
  if (m.deliveries === 0) {
    out.push(
      "No deliveries were received in this period: confirm the bot sends its events to POST /api/webhooks/<source> and that the provider's webhook points at the bot.",
    );
  } else if (failed.has("success_rate")) {
    out.push(
      `Only ${((m.successRate ?? 0) * 100).toFixed(1)}% of deliveries were processed (goal ${(t.minSuccessRate * 100).toFixed(0)}%): look for messages that were received but never processed — \`vercel logs | grep '"type":"message.received"'\` against \`message.processed\`.`,
    );
  }
  if (m.signatureFailures > 0) {
    // Advice for the most common reason: 9 bad signatures and 2 late ones are a secret problem.
    const reasons = Object.entries(m.signatureFailuresByReason).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    const [top, n] = reasons[0]!;
    const mixed = reasons.length > 1 ? `most are ${top} (${n} of ${m.signatureFailures}): ` : "";
    out.push(
      `${m.signatureFailures} signature failure(s) (${reasons.map(([r, c]) => `${r}: ${c}`).join(", ")}): ${mixed}${signatureHint(top)}.`,
    );
  }
  if (failed.has("avg_response_time") || flags.some((f) => f.kind === "response_time")) {
    out.push(
      `Response times are too slow (avg ${m.responseTime.avgMs} ms, p95 ${m.responseTime.p95Ms} ms, goal under ${t.responseTimeMs} ms): profile the slowest model and tool calls, and consider streaming or a faster model.`,
    );
  }
  if (m.errors > 0) {
    const top = Object.entries(m.errorsByType).sort((a, b) => b[1] - a[1])[0]!;
    out.push(`${m.errors} error(s); the most frequent is "${top[0]}" (${top[1]}): fix that first.`);
  }
  for (const silence of flags.filter((f) => f.kind === "zero_deliveries")) {
    out.push(`Deliveries stopped (${silence.message}): check the provider's webhook status and the bot's uptime at that time.`);
  }
  if (out.length === 0) out.push("No action needed: every threshold held for the whole period.");
  return out;
}

function signatureHint(reason: string): string {
  if (reason === "no_secret") return "set WEBHOOK_SECRET (or WEBHOOK_SECRET_<SOURCE>) for every source that sends";
  if (reason === "missing_signature")
    return "the sender does not sign: have it send webhook-id, webhook-timestamp and webhook-signature (or X-Signature-256)";
  if (reason.includes("timestamp")) return "check the sender's clock and whether deliveries are being replayed late";
  return "check that the sender signs with the secret configured here; to rotate, list old and new secrets comma-separated";
}
