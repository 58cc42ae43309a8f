import type { Deps } from "../deps.js";
import type { JobSummary } from "./types.js";

/** Post-conversation monitoring. Until Langfuse and a judge model are wired in, it says so. */
export async function monitor(_deps: Deps, _now: number): Promise<JobSummary> {
  return { notConfigured: ["langfuse", "judge model"] };
}
