import { describeErrorGroup } from "../stability/event-details.js";
import type { PeriodMetrics } from "../stability/period-metrics.js";
import { describeStart } from "../stability/observation.js";
import type { RedFlag } from "../stability/red-flags.js";
import type { Check, ReportObservation, ReportStatus } from "./report-checks.js";
import type { StabilityThresholds } from "../stability/thresholds.js";

const H = 3600_000;

const NO_DATA_ADVICE =
  "No data yet: nothing has been received. Point the bot's events at POST /api/webhooks/<source> (signed with WEBHOOK_SECRET), or send a test event with `npm run monitor -- send-event message.received`.";

/** "9 of 24 hours observed": how far the current period is, in whole hours (never rounded up to complete). */
export const observedHours = (o: ReportObservation) => `${Math.floor(o.observedMs / H)} of ${Math.round(o.requiredMs / H)} hours observed`;

/** What to do next, from the evidence: one sentence per finding. */
export function recommend(r: {
  status: ReportStatus;
  metrics: PeriodMetrics;
  checks: Check[];
  redFlags: RedFlag[];
  observation: ReportObservation;
  thresholds: StabilityThresholds;
}): string[] {
  if (r.status === "NO_DATA") return [NO_DATA_ADVICE];
  const { metrics: m, thresholds: t, redFlags: flags } = r;
  const failed = new Set(r.checks.filter((c) => c.state === "fail").map((c) => c.name));
  const out: string[] = [];
  const o = r.observation;
  if (!o.complete && o.since !== null)
    out.push(
      `${observedHours(o)} (since ${new Date(o.since).toISOString()}, ${describeStart(o)}): the verdict is given once the period completes at ${new Date(o.since + o.requiredMs).toISOString()}, if nothing critical restarts it first.`,
    );
  if (m.deliveries === 0) {
    out.push(
      "No deliveries were received in this period: confirm the bot sends its events to POST /api/webhooks/<source> and that the provider's webhook points at the bot.",
    );
  } else if (failed.has("success_rate")) {
    out.push(
      `Only ${((m.successRate ?? 0) * 100).toFixed(1)}% of deliveries were processed (goal ${(t.minSuccessRate * 100).toFixed(0)}%): look for messages that were received but never processed — \`vercel logs | grep '"type":"message.received"'\` against \`message.processed\`.`,
    );
  }
  for (const c of r.checks.filter((c) => c.state === "not_measured" && c.name !== "success_rate" && c.name !== "error_rate"))
    out.push(`${c.label} not measured: ${c.why}. It cannot pass until it is measured.`);
  if (m.signatureFailures > 0) {
    // Advice for the most common reason: 9 bad signatures and 2 late ones are a secret problem.
    const reasons = Object.entries(m.signatureFailuresByReason).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    const [top, n] = reasons[0]!;
    const mixed = reasons.length > 1 ? `most are ${top} (${n} of ${m.signatureFailures}): ` : "";
    out.push(
      `${m.signatureFailures} signature failure(s) (${reasons.map(([r, c]) => `${r}: ${c}`).join(", ")}): ${mixed}${signatureHint(top)}.`,
    );
  }
  if (failed.has("avg_response_time") || flags.some((f) => f.kind === "response_time" || f.kind === "slow_replies")) {
    const slowest = m.slowReplies.slowest;
    out.push(
      `Response times are too slow (avg ${m.responseTime.avgMs} ms, p95 ${m.responseTime.p95Ms} ms, ${m.slowReplies.count} repl${m.slowReplies.count === 1 ? "y" : "ies"} over ${t.responseTimeMs} ms${slowest ? `, the slowest ${slowest.latencyMs} ms${slowest.conversationId ? ` in conversation ${slowest.conversationId}` : ""}` : ""}): profile the slowest model and tool calls, and consider streaming or a faster model.`,
    );
  }
  if (m.errors > 0) {
    const top = m.errorGroups[0];
    out.push(
      top
        ? `${m.errors} error(s); the most frequent is ${describeErrorGroup(top)}: fix that first.`
        : `${m.errors} error(s); the most frequent is "${Object.entries(m.errorsByType).sort((a, b) => b[1] - a[1])[0]![0]}": fix that first.`,
    );
  }
  for (const silence of flags.filter((f) => f.kind === "zero_deliveries")) {
    out.push(`Deliveries stopped (${silence.message}): check the provider's webhook status and the bot's uptime at that time.`);
  }
  if (flags.some((f) => f.kind === "bot_not_responding"))
    out.push(
      "The bot received messages and sent no reply: check its model provider (expired or rate-limited API key) and its outbound messaging API. Once fixed, restart the observation period (`npx vigil restart-period all`).",
    );
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
