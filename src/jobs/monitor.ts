import type { Deps } from "../deps.js";
import { runMonitorCycle } from "../monitoring/cycle.js";
import type { JobSummary } from "../job-records/names.js";

/** Every 5 minutes: post-conversation monitoring (Langfuse → intent → fulfillment → verdicts). */
export async function monitor(deps: Deps, now: number): Promise<JobSummary> {
  return runMonitorCycle(deps, now);
}
