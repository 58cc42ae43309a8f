import type { Results } from "../db/query.js";
import type { MonitoringServices } from "../monitoring/context.js";
import type { JobSchedules } from "../scheduling/schedules.js";
import { firingAlerts } from "../alerts/store/alerts.js";
import { eventsPerSlot } from "../event-log/event-log.js";
import { jobHealth, type JobHealth } from "../job-records/job-health.js";
import { JOB_NAMES } from "../job-records/names.js";
import {
  recentFailedConversations,
  verifierUnavailableCount,
  unreadableCount,
  scoresRefusedCount,
  type FailedConversation,
} from "../monitoring/store/results.js";
import { verdictsPerSlot } from "../monitoring/store/hourly.js";
import { topFailureCategories } from "../monitoring/store/outcomes.js";
import { finishedRunsPerSlot, recentFailedRuns, type FailedRunSummary } from "../runs/store/runs.js";
import { listCheckpoints, type Checkpoint } from "../stability/checkpoints.js";
import { latencyPercentile } from "../stability/latency.js";
import { type Metric, perDelivery, sumOf } from "../stability/rollup-metrics.js";
import { readRollups, totalsPerSlot } from "../stability/store/webhook-rollups.js";
import { buildStabilityReport, type ReportContext, type StabilityReport } from "../report/stability-report.js";

const MIN = 60_000;
const HOUR = 3600_000;

/** The page's time ranges: counts per `fine` step, rates, latencies and other counts per `coarse` step. */
export const RANGES = {
  "1h": { hours: 1, fine: MIN, coarse: 5 * MIN },
  "24h": { hours: 24, fine: 15 * MIN, coarse: HOUR },
  "7d": { hours: 168, fine: HOUR, coarse: 6 * HOUR },
} as const;
export type RangeName = keyof typeof RANGES;
// Own keys only: `in` also finds "constructor", "toString" and "__proto__" on the prototype.
export const parseRange = (value: string | undefined): RangeName =>
  value !== undefined && Object.hasOwn(RANGES, value) ? (value as RangeName) : "24h";

export interface Point {
  at: number;
  value: number | null;
}

export interface StatusData {
  now: number;
  full: boolean;
  range: RangeName;
  /** Langfuse and the judge are configured; otherwise the conversation section says so. */
  monitoringConfigured: boolean;
  report: StabilityReport;
  /** Days of baseline regression detection compares with. */
  baselineDays: number;
  firing: { id: number; rule: string; severity: string; summary: string; since: number }[];
  jobs: JobHealth[];
  deliveries: Point[];
  successRate: Point[];
  errorRate: Point[];
  p50: Point[];
  p95: Point[];
  signatureFailures: Point[];
  verdicts: { pass: Point[]; partial: Point[]; fail: Point[] };
  topCategories: { category: string; count: number }[];
  /** Verdicts of the last 24 h whose system-of-record check got no answer: they stand as judged. */
  verifierUnavailable: number;
  /** Conversations skipped unjudged because their transcript shape was not readable. */
  unreadable: number;
  /** Verdicts whose scores Langfuse refused. */
  scoresRefused: number;
  runs: { completed: Point[]; failed: Point[]; stalled: Point[] };
  checkpoints: Checkpoint[];
  failedConversations: FailedConversation[];
  /** Each failed conversation's Langfuse session page, where the project is known. */
  sessionLinks: Record<string, string>;
  failedRuns: FailedRunSummary[];
}

const slots = (now: number, hours: number, step: number) => {
  const from = Math.floor((now - hours * HOUR) / step) * step + step;
  return Array.from({ length: Math.round((hours * HOUR) / step) }, (_, i) => from + i * step);
};

/** What the status page reads: the report's context, Langfuse links and the job schedules. */
export type StatusContext = ReportContext & {
  monitoring: MonitoringServices | undefined;
  settings: { jobs: { schedules: JobSchedules } };
};

/** Everything the status page shows for the chosen range, read from rollups and indexed tables. */
export async function gatherStatus(deps: StatusContext, now: number, full: boolean, range: RangeName = "24h"): Promise<StatusData> {
  const { db } = deps;
  const r = RANGES[range];
  const fine = slots(now, r.hours, r.fine);
  const coarse = slots(now, r.hours, r.coarse);
  const from = coarse[0]!;

  // Every domain's reads go in one batch behind the rollups' catch-up (the failure lists only
  // in the full view), and the report, job and checkpoint reads run beside it: at Turso's
  // distance every sequential call is a round trip.
  const shared = [
    totalsPerSlot(fine[0]!, r.fine, "delivery"),
    totalsPerSlot(from, r.coarse),
    verdictsPerSlot(from, r.coarse),
    topFailureCategories(from),
    finishedRunsPerSlot(from, r.coarse),
    eventsPerSlot("run_stalled", from, r.coarse),
    firingAlerts(50),
    verifierUnavailableCount(now - 24 * HOUR),
    unreadableCount(from),
    scoresRefusedCount(from),
  ] as const;
  const lists = [recentFailedConversations(10), recentFailedRuns(10)] as const;
  const [results, report, jobs, checkpoints] = await Promise.all([
    readRollups(db, full ? [...shared, ...lists] : shared),
    buildStabilityReport(deps, now, 24),
    Promise.all(JOB_NAMES.map((job) => jobHealth(db, job, deps.settings.jobs.schedules[job], now, 1))),
    listCheckpoints(db, { limit: 6 }),
  ]);
  const [fineRollups, rollups, verdictRows, topCategories, finished, stalls, firing, verifierUnavailable, unreadable, scoresRefused] =
    results as Results<typeof shared>;
  const [failedConversations, failedRuns] = full ? (results.slice(shared.length) as Results<typeof lists>) : [[], []];
  const sessionLinks = await linksTo(deps, failedConversations);

  const rowsAt = (slot: number) => rollups.get(slot) ?? [];
  const rate = (slot: number, metric: Metric) => perDelivery(sumOf(rowsAt(slot), metric), sumOf(rowsAt(slot), "delivery"));
  const countAt = (rows: { slot: number; n: number }[]) => (slot: number) => rows.reduce((a, x) => (x.slot === slot ? a + x.n : a), 0);
  const withStatus = (rows: { slot: number; status: string; n: number }[], ...statuses: string[]) =>
    countAt(rows.filter((x) => statuses.includes(x.status)));
  const series = (at: number[], f: (slot: number) => number | null) => at.map((slot) => ({ at: slot, value: f(slot) }));

  return {
    now,
    full,
    range,
    monitoringConfigured: Boolean(deps.monitoring?.source && deps.monitoring.judge),
    report,
    baselineDays: deps.settings.regression.baselineDays,
    firing,
    jobs,
    deliveries: series(fine, (slot) => sumOf(fineRollups.get(slot) ?? [], "delivery")),
    successRate: series(coarse, (slot) => rate(slot, "processed")),
    errorRate: series(coarse, (slot) => rate(slot, "error")),
    p50: series(coarse, (slot) => latencyPercentile(rowsAt(slot), 0.5)),
    p95: series(coarse, (slot) => latencyPercentile(rowsAt(slot), 0.95)),
    signatureFailures: series(coarse, (slot) => sumOf(rowsAt(slot), "signature_failure")),
    verdicts: {
      pass: series(coarse, withStatus(verdictRows, "pass")),
      partial: series(coarse, withStatus(verdictRows, "partial")),
      fail: series(coarse, withStatus(verdictRows, "fail")),
    },
    topCategories,
    verifierUnavailable,
    unreadable,
    scoresRefused,
    runs: {
      completed: series(coarse, withStatus(finished, "completed")),
      failed: series(coarse, withStatus(finished, "failed", "partial")),
      stalled: series(coarse, countAt(stalls)),
    },
    checkpoints,
    failedConversations,
    sessionLinks,
    failedRuns,
  };
}

/** One project look-up per instance (cached), then each link is built locally. */
async function linksTo(deps: StatusContext, conversations: FailedConversation[]): Promise<Record<string, string>> {
  const links = deps.monitoring?.links;
  if (!links || conversations.length === 0) return {};
  const urls = await Promise.all(conversations.map(async (c) => [c.sessionId, await links.sessionUrl(c.sessionId)] as const));
  return Object.fromEntries(urls.filter((u): u is readonly [string, string] => u[1] !== null));
}
