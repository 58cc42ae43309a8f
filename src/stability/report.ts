import type { Deps } from "../deps.js";
import { readQualityChecks, type QualityChecks } from "../monitoring/quality-counts.js";
import { readDeliveryTimeline, readPeriodMetrics, type PeriodMetrics } from "./metrics.js";
import { latestRestarts, observationPeriod, type ObservationPeriod } from "./observation.js";
import { qualityRedFlags } from "./quality-checks.js";
import { redFlagsFor, type RedFlag } from "./red-flags.js";
import { evaluateChecks, summaryLabels, type Check, type Labels } from "./report-checks.js";
import { baselineWindow, logEntry, logWindows, windowQueries, type LogEntry } from "./report-log.js";
import { recommend } from "./report-advice.js";
import { periodStarts, readRollups } from "./rollup-reader.js";
import { thresholdsFrom } from "./thresholds.js";

export type { Check } from "./report-checks.js";

const H = 3600_000;
const MIN = 60_000;

export interface StabilityReport {
  /** The period's Start: the later of `hours` ago and the start of the current observation period. */
  start: number;
  end: number;
  hours: number;
  /**
   * NO_DATA: nothing received and nothing wrong — a fresh install. IN_PROGRESS: nothing failed, but
   * the observation period is shorter than `hours`. STABLE: a complete period with every check
   * measured and passing. NEEDS_ATTENTION: a check failed, or a complete period left one unmeasured.
   */
  status: "STABLE" | "NEEDS_ATTENTION" | "IN_PROGRESS" | "NO_DATA";
  productionReady: boolean;
  observation: ObservationPeriod & { requiredMs: number; complete: boolean; sources: ObservationPeriod[] };
  metrics: PeriodMetrics;
  checks: Check[];
  redFlags: RedFlag[];
  /** Hour 0 (the baseline before Start) and one entry per 4 hours from Start. */
  log: LogEntry[];
  recommendations: string[];
  qualityChecks: QualityChecks;
  labels: Labels;
}

/** The verdict over the last `hours`, or over the current observation period when that is shorter. */
export async function buildStabilityReport(deps: Deps, now: number, hours: number): Promise<StabilityReport> {
  const t = thresholdsFrom(deps.env);
  const gapMs = t.zeroDeliveryMinutes * MIN;
  const requiredMs = hours * H;
  const rolling = now - requiredMs;
  // Where the periods began decides which window the rest reads: one round trip before the others.
  const [starts, restarts] = await readRollups(deps.db, [periodStarts(rolling - gapMs - MIN, gapMs), latestRestarts(now)]);
  const period = (source: string | null, critical?: { at: number; kind: string }) =>
    observationPeriod({ source, began: starts.find((s) => s.source === source), restarts, critical, now, gapMs });
  const before = period(null);
  const start = before.since !== null && before.since > rolling ? before.since : rolling;

  const windows = logWindows(start, now);
  // Independent reads, in parallel: at Turso's distance each is a network round trip.
  const [metrics, qualityChecks, timeline, logRows] = await Promise.all([
    readPeriodMetrics(deps.db, start, now + 1, t.responseTimeMs),
    readQualityChecks(deps.db, start, now + 1),
    readDeliveryTimeline(deps.db, start, now + 1),
    readRollups(deps.db, windowQueries([baselineWindow(start), ...windows])),
  ]);
  // A period that began in this window began with its first delivery: the silence before it ended the last period.
  const ownTimeline = start === before.since ? { ...timeline, lastBefore: null } : timeline;
  const redFlags = [...redFlagsFor(metrics, ownTimeline, t, now), ...qualityRedFlags(qualityChecks, now)].sort((a, b) => a.at - b.at);

  // Seed 003: a critical issue restarts the period (its last occurrence, for errors that repeat).
  const criticals = redFlags
    .filter((f) => f.severity === "critical")
    .map((f) => ({ at: f.kind === "processing_errors" ? Math.max(f.at, ...metrics.errorGroups.map((g) => g.lastAt)) : f.at, kind: f.kind }));
  const latestCritical = criticals.sort((a, b) => b.at - a.at)[0];
  const overall = period(null, latestCritical);
  const complete = overall.since !== null && overall.observedMs >= requiredMs;

  const checks = evaluateChecks(metrics, redFlags, t);
  const failed = checks.some((c) => c.state === "fail");
  const unmeasured = checks.some((c) => c.state === "not_measured");
  // Zero means the same here as in a checkpoint — "no traffic", never a pass. Before the first
  // delivery ever that is all there is to say ("no data yet", not a failing bot); after it, a
  // silence longer than ZERO_DELIVERY_MINUTES is a critical red flag, so never mistaken for this.
  const noData = metrics.deliveries === 0 && before.lastDelivery === null && redFlags.every((f) => f.kind === "no_traffic");
  const status = noData ? "NO_DATA" : failed ? "NEEDS_ATTENTION" : !complete ? "IN_PROGRESS" : unmeasured ? "NEEDS_ATTENTION" : "STABLE";
  const observation = {
    ...overall,
    requiredMs,
    complete,
    sources: starts.filter((s) => s.source !== null).map((s) => period(s.source)),
  };
  const log = [baselineWindow(start), ...windows].map((w, i) => logEntry(logRows[i]!, w, start, i === 0 ? [] : redFlags));
  return {
    start,
    end: now,
    hours,
    status,
    productionReady: status === "STABLE",
    observation,
    metrics,
    checks,
    redFlags,
    log,
    recommendations: recommend({ status, metrics, checks, redFlags, observation, thresholds: t }),
    qualityChecks,
    labels: summaryLabels({
      checks,
      metrics,
      quality: qualityChecks,
      monitoringConfigured: Boolean(deps.monitoring?.source && deps.monitoring.judge),
    }),
  };
}
