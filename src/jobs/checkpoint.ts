import type { Deps } from "../deps.js";
import type { JobSummary } from "./types.js";

/** Stability checkpoints. Until webhook ingestion exists there is nothing to close. */
export async function checkpoint(_deps: Deps, _now: number): Promise<JobSummary> {
  return { notConfigured: ["stability webhooks"] };
}
