import type { JobContext } from "./context.js";
import type { JobSummary } from "../job-records/names.js";

/** A job is a plain function of its dependencies and the time it runs for. */
export type JobFn = (deps: JobContext, now: number) => Promise<JobSummary>;
