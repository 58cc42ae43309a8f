import { checkpoint } from "./checkpoint.js";
import { heartbeat } from "./heartbeat.js";
import { monitor } from "./monitor.js";
import type { JobName } from "../job-records/names.js";
import type { JobFn } from "./types.js";

// Only the top (app, routes) imports this: domain code that needs job names imports types.ts,
// so no module below the jobs imports the jobs themselves.
export const JOBS = { heartbeat, monitor, checkpoint } satisfies Record<JobName, JobFn>;
