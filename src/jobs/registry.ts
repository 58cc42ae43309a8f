import { checkpoint } from "./checkpoint.js";
import { heartbeat } from "./heartbeat.js";
import { monitor } from "./monitor.js";
import type { JobFn, JobName } from "./types.js";

export const JOBS: Record<JobName, JobFn> = { heartbeat, monitor, checkpoint };

export const JOB_NAMES = Object.keys(JOBS) as JobName[];

export function isJobName(name: string): name is JobName {
  return Object.hasOwn(JOBS, name);
}
