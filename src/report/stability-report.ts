import { readQualityChecks, type QualityChecks } from "../monitoring/quality-counts.js";
import type { Db } from "../db/client.js";
import { readAll, type Query, type Results } from "../db/query.js";
import { metricsFollowUp, timelineQueries, toTimeline, type PeriodMetrics } from "../stability/period-metrics.js";
import { latestRestarts, observationPeriod } from "../stability/observation.js";
import { qualityRedFlags } from "../stability/quality-checks.js";
import { redFlagsFor, type RedFlag } from "../stability/red-flags.js";
import { evaluateChecks, summaryLabels, type Check, type Labels, type ReportObservation, type ReportStatus } from "./report-checks.js";
import { baselineWindow, logEntry, logWindows, windowQueries, type LogEntry } from "./report-log.js";
import type { RollupRow } from "../stability/rollup-metrics.js";
import { recommend } from "./report-advice.js";
import { lastMinuteBySource, periodStarts, periodTotals, readRollups } from "../stability/store/webhook-rollups.js";
import type { StabilityThresholds } from "../stability/thresholds.js";
import type { Comparison, RegressionSettings } from "../regression/detect.js";
import { compareWithBaseline } from "../regression/evaluate.js";
import { regressionRedFlags, releaseRedFlags } from "../regression/red-flags.js";
import { compareReleases, type ReleaseComparison } from "../regression/releases.js";
import { verdictsByRelease } from "../monitoring/store/results.js";
import { releaseTraffic } from "../stability/release-traffic.js";
import { type ConversationCost, conversationCostByHour, costOfAll } from "../monitoring/cost-queries.js";
import { judgeSpendOn } from "../monitoring/store/spend.js";

const H = 3600_000;
const MIN = 60_000;

export interface StabilityReport {
  /** The period's Start: the later of `hours` ago and the start of the current observation period. */
  start: number;
  end: number;
  hours: number;
  status: ReportStatus;
  productionReady: boolean;
  observation: ReportObservation;
  metrics: PeriodMetrics;
  checks: Check[];
  redFlags: RedFlag[];
  /** Hour 0 (the baseline before Start) and one entry per 4 hours from Start. */
  log: LogEntry[];
  recommendations: string[];
  qualityChecks: QualityChecks;
  labels: Labels;
  /** The last hour and the last 24 h against the same hours of the baseline days (regression detection). */
  baseline: Comparison[];
  /** The current release against the previous one over the last `hours` (releases named by Langfuse traces or webhook events). */
  releases: ReleaseComparison;
  /**
   * What the conversations judged in the last `hours` cost the bot (and, apart, the judge), in all
   * and per hour; `judgeTodayUsd` is all the judge spent today (UTC: analyses, diagnoses, retries).
   */
  cost: ConversationCost & { hourly: (ConversationCost & { hour: number })[]; judgeTodayUsd: number };
}

/** What the report reads: the database, whether monitoring is configured, and the thresholds it judges by. */
export interface ReportContext {
  db: Db;
  monitoring: { source?: unknown; judge?: unknown } | undefined;
  settings: { stability: StabilityThresholds; regression: RegressionSettings };
}

/** The verdict over the last `hours`, or over the current observation period when that is shorter. */
export async function buildStabilityReport(deps: ReportContext, now: number, hours: number): Promise<StabilityReport> {
  const t = deps.settings.stability;
  const gapMs = t.zeroDeliveryMinutes * MIN;
  const requiredMs = hours * H;
  const rolling = now - requiredMs;
  const to = now + 1;
  // Round trip 1: where the periods began, and the whole window's reads (right when the period
  // is older than the window, the usual case). Independent reads run in parallel: at Turso's
  // distance each is a network round trip.
  const rollingReads = windowReads(rolling, now);
  const regression = deps.settings.regression;
  const [[starts, restarts, lastErrors, releaseVerdicts, costHourly, judgeToday, ...rollingResults], rollingQuality, baseline] =
    await Promise.all([
      readRollups(deps.db, [
        periodStarts(rolling - gapMs - MIN, gapMs),
        latestRestarts(now),
        lastMinuteBySource("error", rolling),
        verdictsByRelease(rolling, to),
        conversationCostByHour(rolling, to),
        judgeSpendOn(now),
        ...rollingReads.queries,
      ]),
      readQualityChecks(deps.db, rolling, to),
      compareWithBaseline(deps.db, now, 60, regression),
    ]);
  const period = (source: string | null, critical?: { at: number; kind: string }) =>
    observationPeriod({ source, began: starts.find((s) => s.source === source), restarts, critical, now, gapMs });
  const before = period(null);
  const start = before.since !== null && before.since > rolling ? before.since : rolling;

  // Round trip 2: what the totals leave open and, for a period that began inside the window, its own reads.
  const rollingTotals = rollingReads.totals(rollingResults);
  const follow = metricsFollowUp(rollingTotals, { from: start, to, slowMs: t.responseTimeMs, wider: start !== rolling });
  const own = start === rolling ? undefined : windowReads(start, now);
  const [second, qualityChecks] = await Promise.all([
    own || follow.queries.length > 0 ? readAll(deps.db, [...(own?.queries ?? []), ...follow.queries]) : Promise.resolve([]),
    own ? readQualityChecks(deps.db, start, to) : Promise.resolve(rollingQuality),
  ]);
  const ownResults = own ? second.slice(0, own.queries.length) : rollingResults;
  const reads = own ?? rollingReads;
  const metrics = follow.finish(reads.totals(ownResults), second.slice(own?.queries.length ?? 0));
  const timeline = reads.timeline(ownResults);
  const logRows = reads.log(ownResults);
  const windows = reads.windows;

  // A period that began in this window began with its first delivery: the silence before it ended the last period.
  const ownTimeline = start === before.since ? { ...timeline, lastBefore: null } : timeline;
  const releases = compareReleases(releaseVerdicts, releaseTraffic(rollingTotals), regression);
  const redFlags = [
    ...redFlagsFor(metrics, ownTimeline, t, now),
    ...qualityRedFlags(qualityChecks, now),
    ...regressionRedFlags(baseline.findings, now, regression.baselineDays),
    ...releaseRedFlags(releases.comparisons, now),
  ].sort((a, b) => a.at - b.at);

  // Seed 003: a critical issue restarts the period (its last occurrence, for errors that repeat).
  const criticals = redFlags
    .filter((f) => f.severity === "critical")
    .map((f) => ({
      at: f.kind === "processing_errors" ? Math.max(f.at, ...metrics.errorGroups.map((g) => g.lastAt)) : f.at,
      kind: f.kind,
    }));
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
    // A source's own critical issue restarts its period: its last processing error.
    sources: starts
      .filter((s) => s.source !== null)
      .map((s) => {
        const error = lastErrors.find((e) => e.source === s.source);
        return period(s.source, error && { at: error.last, kind: "processing_errors" });
      }),
  };
  const log = windows.map((w, i) => logEntry(logRows[i]!, w, start, i === 0 ? [] : redFlags));
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
    baseline: baseline.comparisons,
    releases,
    cost: {
      ...costOfAll(costHourly.map((h) => h.cost)),
      hourly: costHourly.map((h) => ({ hour: Number(h.key), ...h.cost })),
      judgeTodayUsd: judgeToday.costUsd,
    },
    labels: summaryLabels({
      checks,
      metrics,
      quality: qualityChecks,
      monitoringConfigured: Boolean(deps.monitoring?.source && deps.monitoring.judge),
    }),
  };
}

/** The reads of one window [from, now]: its totals, its timeline, and the log's baseline and 4-hour windows. */
function windowReads(from: number, now: number) {
  const windows = [baselineWindow(from), ...logWindows(from, now)];
  const timeline = timelineQueries(from, now + 1);
  const queries = [periodTotals(from, now + 1), ...timeline, ...windowQueries(windows)] as Query<unknown>[];
  const t = timeline.length;
  return {
    queries,
    windows,
    totals: (r: readonly unknown[]) => r[0] as Results<[ReturnType<typeof periodTotals>]>[0],
    timeline: (r: readonly unknown[]) => toTimeline(r.slice(1, 1 + t) as Results<typeof timeline>),
    log: (r: readonly unknown[]) => r.slice(1 + t) as RollupRow[][],
  };
}
