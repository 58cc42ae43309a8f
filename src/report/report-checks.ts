import type { QualityChecks } from "../monitoring/quality-counts.js";
import type { PeriodMetrics } from "../stability/period-metrics.js";
import type { ObservationPeriod } from "../stability/observation.js";
import type { RedFlag } from "../stability/red-flags.js";
import type { StabilityThresholds } from "../stability/thresholds.js";

/**
 * The report's verdict. NO_DATA: nothing received and nothing wrong — a fresh install. IN_PROGRESS:
 * nothing failed, but the observation period is shorter than the report's hours. STABLE: a complete
 * period with every check measured and passing. NEEDS_ATTENTION: a check failed, or a complete
 * period left one unmeasured.
 */
export type ReportStatus = "STABLE" | "NEEDS_ATTENTION" | "IN_PROGRESS" | "NO_DATA";

/** The report's observation period, whether it is long enough, and each source's own. */
export type ReportObservation = ObservationPeriod & { requiredMs: number; complete: boolean; sources: ObservationPeriod[] };

/** Seed 003's checks have a third answer: nothing to judge. Unmeasured never passes. */
type CheckState = "pass" | "fail" | "not_measured";

export interface Check {
  name: "success_rate" | "signature_failures" | "avg_response_time" | "error_rate" | "no_critical_red_flags";
  label: string;
  value: number | null;
  threshold: string;
  state: CheckState;
  /** state === "pass". */
  pass: boolean;
  /** Why a check could not be measured. */
  why?: string;
}

const NO_DELIVERIES = "no deliveries in the period";
const NO_LATENCY = "no response times received (send latency_ms on response.sent)";

const judged = (pass: boolean, value: number | null, why: string | undefined) =>
  value === null ? { state: "not_measured" as const, pass: false, why } : { state: pass ? ("pass" as const) : ("fail" as const), pass };

export function evaluateChecks(m: PeriodMetrics, flags: RedFlag[], t: StabilityThresholds): Check[] {
  const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
  const avg = m.responseTime.avgMs;
  const critical = flags.filter((f) => f.severity === "critical").length;
  return [
    {
      name: "success_rate",
      label: "Success rate",
      value: m.successRate,
      threshold: `≥ ${pct(t.minSuccessRate)}`,
      ...judged(m.successRate !== null && m.successRate >= t.minSuccessRate, m.successRate, NO_DELIVERIES),
    },
    {
      name: "signature_failures",
      label: "Signature failures",
      value: m.signatureFailures,
      threshold: `≤ ${t.maxSignatureFailures}`,
      ...judged(m.signatureFailures <= t.maxSignatureFailures, m.signatureFailures, undefined),
    },
    {
      name: "avg_response_time",
      label: "Response time (avg)",
      value: avg,
      threshold: `< ${t.responseTimeMs / 1000} s`,
      ...judged(avg !== null && avg < t.responseTimeMs, avg, NO_LATENCY),
    },
    {
      name: "error_rate",
      label: "Error rate",
      value: m.errorRate,
      threshold: `< ${pct(t.maxErrorRate)}`,
      ...judged(m.errorRate !== null && m.errorRate < t.maxErrorRate, m.errorRate, NO_DELIVERIES),
    },
    {
      name: "no_critical_red_flags",
      label: "Critical red flags",
      value: critical,
      threshold: "none",
      ...judged(critical === 0, critical, undefined),
    },
  ];
}

export type Label = "yes" | "no" | "not_measured";

export interface Labels {
  /** Success rate at or above the minimum. */
  stable: Label;
  /** No signature failures. */
  secure: Label;
  /** Average under the limit and no reply over it. */
  performant: Label;
  /** No quality flag among the judged conversations. */
  quality: Label;
  /** Why a label is not measured, by label. */
  notMeasured: Partial<Record<"stable" | "secure" | "performant" | "quality", string>>;
}

/** The seed's closing labels, each yes, no, or not measured (with why). */
export function summaryLabels(input: {
  checks: Check[];
  metrics: PeriodMetrics;
  quality: QualityChecks;
  /** Langfuse and the judge are configured. */
  monitoringConfigured: boolean;
}): Labels {
  const check = (name: Check["name"]) => input.checks.find((c) => c.name === name)!;
  const fromCheck = (c: Check): Label => (c.state === "not_measured" ? "not_measured" : c.pass ? "yes" : "no");
  const avg = check("avg_response_time");
  const q = input.quality;
  const notMeasured: Labels["notMeasured"] = {};
  const stable = fromCheck(check("success_rate"));
  if (stable === "not_measured") notMeasured.stable = check("success_rate").why;
  const performant: Label =
    avg.state === "not_measured" ? "not_measured" : avg.pass && input.metrics.slowReplies.count === 0 ? "yes" : "no";
  if (performant === "not_measured") notMeasured.performant = avg.why;
  let quality: Label = q.rating === "appropriate" ? "yes" : "no";
  if (q.judged === 0) {
    quality = "not_measured";
    notMeasured.quality = input.monitoringConfigured
      ? "0 conversations judged in the period"
      : "monitoring not configured (Langfuse and a judge model)";
  }
  return { stable, secure: input.metrics.signatureFailures === 0 ? "yes" : "no", performant, quality, notMeasured };
}
