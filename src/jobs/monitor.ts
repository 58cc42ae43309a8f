import type { JobContext } from "./context.js";
import { runMonitorCycle } from "../monitoring/cycle.js";
import type { JobSummary } from "../job-records/names.js";

/** Every 5 minutes: post-conversation monitoring (Langfuse → intent → fulfillment → verdicts). */
export async function monitor(deps: JobContext, now: number): Promise<JobSummary> {
  return runMonitorCycle(deps, now);
}
