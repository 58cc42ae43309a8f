import type { Deps } from "../deps.js";

export type JobName = "heartbeat" | "monitor" | "checkpoint";
export type JobSummary = Record<string, unknown>;

/** A job is a plain function of its dependencies and the time it runs for. */
export type JobFn = (deps: Deps, now: number) => Promise<JobSummary>;
