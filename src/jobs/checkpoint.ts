import type { JobContext } from "./context.js";
import { deleteOldEventLog } from "../event-log/event-log.js";
import { deleteOldArchives, deleteOldRuns } from "../runs/retention.js";
import { closeDueCheckpoints } from "../stability/checkpoints.js";
import { buildStabilityReport } from "../report/stability-report.js";
import { forgetOldDigests } from "../stability/replays.js";
import { observedHours } from "../report/report-advice.js";
import { deleteOldEvents, deleteOldMinuteRollups } from "../stability/retention.js";
import type { JobSummary } from "../job-records/names.js";

const DAY_MS = 86_400_000;

/** Every 4 hours: close the complete windows, apply both retentions, emit the rolling 24 h verdict. */
export async function checkpoint(deps: JobContext, now: number): Promise<JobSummary> {
  const closed = await closeDueCheckpoints(deps, now);
  const deletedEvents = await deleteOldEvents(deps.db, now - deps.settings.retention.eventDays * DAY_MS);
  const deletedMinuteRollups = await deleteOldMinuteRollups(deps.db, now - deps.settings.retention.eventDays * DAY_MS);
  await forgetOldDigests(deps.db, now - deps.settings.retention.replayWindowDays * DAY_MS);
  const runs = await deleteOldRuns(deps.db, now - deps.settings.retention.runDays * DAY_MS, now);
  if (runs.blocked.length > 0) deps.log.warn("run retention blocked", { runs: runs.blocked });
  const deletedArchives = await deleteOldArchives(deps.db, now - deps.settings.retention.archiveDays * DAY_MS);
  const deletedLogEvents = await deleteOldEventLog(deps.db, now - deps.settings.retention.eventDays * DAY_MS);
  const report = await buildStabilityReport(deps, now, 24);
  deps.log.info("stability verdict", {
    status: report.status,
    production_ready: report.productionReady,
    observed: observedHours(report.observation),
    not_measured: report.checks.filter((c) => c.state === "not_measured").map((c) => c.name),
    failed_checks: report.checks.filter((c) => c.state === "fail").map((c) => c.name),
    red_flags: report.redFlags.map((f) => f.kind),
  });
  return {
    closed: closed.map((c) => ({ windowStart: new Date(c.windowStart).toISOString(), status: c.status, deliveries: c.metrics.deliveries })),
    retention: {
      deletedEvents,
      deletedMinuteRollups,
      deletedRuns: runs.deleted,
      blockedRuns: runs.blocked.length,
      deletedArchives,
      deletedLogEvents,
    },
    verdict: { status: report.status, productionReady: report.productionReady, observed: observedHours(report.observation) },
  };
}
