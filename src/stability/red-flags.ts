import type { DeliveryTimeline, PeriodMetrics } from "./metrics.js";
import { probingFlag } from "./signature-judgement.js";

export interface StabilityThresholds {
  minSuccessRate: number;
  maxErrorRate: number;
  responseTimeMs: number;
  maxSignatureFailures: number;
  zeroDeliveryMinutes: number;
}

type RedFlagKind =
  | "signature_failure"
  | "signature_probing"
  | "zero_deliveries"
  | "processing_errors"
  | "response_time"
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
    flags.push({
      severity: "critical",
      kind: "processing_errors",
      at: m.firstAt.error ?? m.from,
      message: `${m.errors} processing error(s) (${types})`,
    });
  }
  if (m.responseTime.p95Ms !== null && m.responseTime.p95Ms > t.responseTimeMs) {
    flags.push({
      severity: "warning",
      kind: "response_time",
      at: m.firstAt.slowResponse ?? m.from,
      message: `p95 response time ${m.responseTime.p95Ms} ms is over ${t.responseTimeMs} ms`,
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

export function thresholdsFrom(env: {
  STABILITY_MIN_SUCCESS_RATE: number;
  STABILITY_MAX_ERROR_RATE: number;
  STABILITY_RESPONSE_TIME_MS: number;
  STABILITY_MAX_SIGNATURE_FAILURES: number;
  ZERO_DELIVERY_MINUTES: number;
}): StabilityThresholds {
  return {
    minSuccessRate: env.STABILITY_MIN_SUCCESS_RATE,
    maxErrorRate: env.STABILITY_MAX_ERROR_RATE,
    responseTimeMs: env.STABILITY_RESPONSE_TIME_MS,
    maxSignatureFailures: env.STABILITY_MAX_SIGNATURE_FAILURES,
    zeroDeliveryMinutes: env.ZERO_DELIVERY_MINUTES,
  };
}
