import { describeErrorGroup } from "./event-details.js";
import type { DeliveryTimeline, PeriodMetrics } from "./period-metrics.js";
import { probingFlag } from "./signature-judgement.js";
import { isUnanswered, replyGraceMs, type StabilityThresholds } from "./thresholds.js";

type RedFlagKind =
  | "signature_failure"
  | "signature_probing"
  | "zero_deliveries"
  | "processing_errors"
  | "response_time"
  | "slow_replies"
  | "bot_not_responding"
  | "error_rate"
  | "no_traffic"
  | "response_quality"
  | "regression";

export interface RedFlag {
  severity: "critical" | "warning";
  kind: RedFlagKind;
  at: number;
  message: string;
}

const MINUTE_MS = 60_000;

/** The seed protocol's red flags for a period, from its rollups. Pure. `end` caps an unfinished period at now. */
export function redFlagsFor(m: PeriodMetrics, timeline: DeliveryTimeline, t: StabilityThresholds, end: number): RedFlag[] {
  const flags: RedFlag[] = [];
  if (m.signatureFailures > 0) {
    const reasons = Object.entries(m.signatureFailuresByReason)
      .map(([r, n]) => `${r}: ${n}`)
      .join(", ");
    flags.push({
      severity: "critical",
      kind: "signature_failure",
      at: m.firstAt.signatureFailure ?? m.from,
      message: `${m.signatureFailures} signature failure(s) (${reasons})`,
    });
  }
  if (m.signatureProbing.failures > 0) flags.push(probingFlag(m.signatureProbing, m.from));
  flags.push(...silences(timeline, m.from, end, t.zeroDeliveryMinutes));
  // Nothing to judge is not "ok": the success-rate check fails on it too, so the verdict agrees.
  if (m.deliveries === 0)
    flags.push({ severity: "warning", kind: "no_traffic", at: m.from, message: "no traffic: 0 deliveries in this period" });
  if (m.errors > 0) {
    const types = Object.entries(m.errorsByType)
      .map(([type, n]) => `${type}: ${n}`)
      .join(", ");
    const latest = m.errorGroups.length > 0 ? `; ${m.errorGroups.map(describeErrorGroup).join("; ")}` : "";
    flags.push({
      severity: "critical",
      kind: "processing_errors",
      at: m.firstAt.error ?? m.from,
      message: `${m.errors} processing error(s) (${types})${latest}`,
    });
  }
  flags.push(...unansweredStretches(timeline, t, end));
  if (m.responseTime.p95Ms !== null && m.responseTime.p95Ms > t.responseTimeMs) {
    flags.push({
      severity: "warning",
      kind: "response_time",
      at: m.firstAt.slowResponse ?? m.from,
      message: `p95 response time ${m.responseTime.p95Ms} ms is over ${t.responseTimeMs} ms`,
    });
  }
  // Seed 003: "Response time under 10 seconds for all messages"; any reply over it is a warning.
  const slow = m.slowReplies;
  if (slow.count > 0 && slow.slowest) {
    flags.push({
      severity: "warning",
      kind: "slow_replies",
      at: m.firstAt.slowResponse ?? slow.slowest.at,
      message: `${slow.count} of ${m.responseTime.count} replies took over ${t.responseTimeMs} ms; the slowest ${slow.slowest.latencyMs} ms at ${new Date(slow.slowest.at).toISOString()}${slow.slowest.conversationId ? ` in conversation ${slow.slowest.conversationId}` : ""}`,
    });
  }
  if (m.errorRate !== null && m.errorRate > t.maxErrorRate) {
    flags.push({
      severity: "warning",
      kind: "error_rate",
      at: m.firstAt.error ?? m.from,
      message: `error rate ${(m.errorRate * 100).toFixed(1)}% is over ${(t.maxErrorRate * 100).toFixed(1)}%`,
    });
  }
  return flags.sort((a, b) => a.at - b.at);
}

/** Gaps longer than the limit between deliveries, counted only after the first delivery ever. */
function silences(timeline: DeliveryTimeline, from: number, end: number, limitMinutes: number): RedFlag[] {
  const limit = limitMinutes * MINUTE_MS;
  const flags: RedFlag[] = [];
  let previous = timeline.lastBefore;
  const check = (nextDelivery: number) => {
    if (previous === null) return;
    const silentFrom = previous + MINUTE_MS;
    if (nextDelivery - silentFrom > limit) {
      const minutes = Math.round((nextDelivery - silentFrom) / MINUTE_MS);
      flags.push({
        severity: "critical",
        kind: "zero_deliveries",
        at: Math.max(from, silentFrom + limit),
        message: `no deliveries for ${minutes} minutes since ${new Date(silentFrom).toISOString()}`,
      });
    }
  };
  for (const minute of timeline.minutes) {
    check(minute);
    previous = minute;
  }
  check(end);
  return flags;
}

export function statusOf(flags: RedFlag[]): "ok" | "warning" | "critical" {
  if (flags.some((f) => f.severity === "critical")) return "critical";
  return flags.length > 0 ? "warning" : "ok";
}

/**
 * Seed 003's "Bot not responding to messages": stretches where at least the set number of
 * messages arrived within the window and no reply followed (replies are awaited the response-time
 * limit longer), from a bot that reports its replies at all. One red flag per stretch, from its
 * first unanswered message until the next reply (or the end of the period).
 */
function unansweredStretches(timeline: DeliveryTimeline, t: StabilityThresholds, end: number): RedFlag[] {
  const window = t.unansweredMinutes * MINUTE_MS;
  const grace = replyGraceMs(t);
  const rows = timeline.exchanges;
  const replies = rows.filter((r) => r.responses > 0).map((r) => r.minute);
  const nextReply = (from: number) => replies.find((m) => m >= from) ?? null;
  const flags: RedFlag[] = [];
  let coveredUntil = -Infinity;
  for (const [i, r] of rows.entries()) {
    if (r.received === 0 || r.minute < coveredUntil || r.minute + window + grace > end) continue;
    let received = 0;
    for (let j = i; j < rows.length && rows[j]!.minute < r.minute + window; j++) received += rows[j]!.received;
    const reply = nextReply(r.minute);
    const responses = reply !== null && reply < r.minute + window + grace ? 1 : 0;
    const answeredBefore = timeline.repliedBefore || replies.some((m) => m < r.minute);
    if (!isUnanswered({ received, responses, answeredBefore }, t)) continue;
    const until = reply ?? end;
    const total = rows.reduce((a, x) => (x.minute >= r.minute && x.minute < until ? a + x.received : a), 0);
    flags.push({
      severity: "critical",
      kind: "bot_not_responding",
      at: r.minute,
      message: `bot not responding: ${total} message(s) received from ${new Date(r.minute).toISOString()} and no reply sent ${reply === null ? "since" : `until ${new Date(reply).toISOString()}`}`,
    });
    coveredUntil = reply ?? Infinity;
  }
  return flags;
}
