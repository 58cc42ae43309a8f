import type { Deps } from "../deps.js";
import type { JobSummary } from "../job-records/names.js";

/** A job is a plain function of its dependencies and the time it runs for. */
export type JobFn = (deps: Deps, now: number) => Promise<JobSummary>;
