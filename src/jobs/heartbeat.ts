import type { JobContext } from "./context.js";
import { errorMessage } from "../errors.js";
import { describeError } from "../log.js";
import { evaluateAlerts } from "../alerts/engine.js";
import { deliverNotifications } from "../alerts/outbox.js";
import { escalateUnacknowledged } from "../alerts/escalation.js";
import type { Channel } from "../alerts/rules.js";
import { catchUpRollups } from "../stability/rollup-catch-up.js";
import { detectRunTransitions, handleFinishedRuns } from "../runs/detectors.js";
import type { JobSummary } from "../job-records/names.js";

/** One piece of minute-by-minute work; capabilities add theirs to HEARTBEAT_STEPS. */
export interface HeartbeatStep {
  name: string;
  run(deps: JobContext, now: number): Promise<JobSummary>;
}

// Alerts come first: whatever the later steps meet (a fat run to archive, a database hiccup),
// this minute's conditions have been evaluated and delivered. Rollups are caught up before every
// read, so the alert signals do not wait for the rollups step.
const HEARTBEAT_STEPS: HeartbeatStep[] = [
  { name: "alerts", run: (deps, now) => evaluateAlerts(deps, now, deps.alerts.rules, Object.keys(deps.alerts.channels) as Channel[]) },
  {
    name: "escalations",
    run: async (deps, now) =>
      deps.alerts.channels.pagerduty_escalation
        ? escalateUnacknowledged(deps.db, now, deps.settings.escalation)
        : { skipped: "no second route" },
  },
  { name: "notifications", run: (deps, now) => deliverNotifications(deps, now, deps.alerts.channels, deps.settings.delivery) },
  // Webhooks commit only their events; their counts are caught up here (and before every read).
  { name: "rollups", run: async (deps) => ({ rollupRowsWritten: await catchUpRollups(deps.db) }) },
  { name: "runs", run: (deps, now) => detectRunTransitions(deps, now, deps.settings.runs) },
  { name: "finishedRuns", run: (deps, now) => handleFinishedRuns(deps, now, deps.settings.runs) },
];

/**
 * The heartbeat's own job_runs row is what makes Vigil a dead-man's switch for its schedule.
 * A failing step is reported and logged but never stops the others or the heartbeat itself.
 */
export async function heartbeat(deps: JobContext, now: number, steps: HeartbeatStep[] = HEARTBEAT_STEPS): Promise<JobSummary> {
  const summary: JobSummary = {};
  const failed: Record<string, string> = {};
  for (const step of steps) {
    try {
      summary[step.name] = await step.run(deps, now);
    } catch (error) {
      failed[step.name] = errorMessage(error);
      deps.log.error("heartbeat step failed", { step: step.name, err: describeError(error) });
    }
  }
  return Object.keys(failed).length > 0 ? { ...summary, failedSteps: failed } : summary;
}
