import { JOB_NAMES, type JobName } from "../job-records/names.js";
import { parseCron, type CronExpression } from "../shared/cron-expression.js";

export interface CronEntry {
  job: JobName;
  path: string;
  schedule: string;
  cron: CronExpression;
}

/** How often each job runs when nothing says otherwise: minute crons, as Vercel Pro runs them. */
export const DEFAULT_SCHEDULES = {
  heartbeat: "* * * * *",
  monitor: "*/5 * * * *",
  checkpoint: "0 */4 * * *",
} as const satisfies Record<JobName, string>;

/** The variable that sets each job's real cadence (whoever calls it: Vercel or your scheduler). */
const SCHEDULE_VARIABLES = {
  heartbeat: "HEARTBEAT_SCHEDULE",
  monitor: "MONITOR_SCHEDULE",
  checkpoint: "CHECKPOINT_SCHEDULE",
} as const satisfies Record<JobName, string>;

export type JobSchedules = Record<JobName, string>;

/**
 * The one source of the schedules: vercel.ts gives them to Vercel's crons at build time, and
 * the running app reads the same variables, so the local scheduler, `job_missed` and
 * /api/health expect what really calls the jobs. Throws naming the variable of a bad cron.
 */
export function jobSchedules(raw: Partial<Record<string, string | undefined>>): JobSchedules {
  const schedules = { ...DEFAULT_SCHEDULES } as JobSchedules;
  for (const job of JOB_NAMES) {
    const name = SCHEDULE_VARIABLES[job];
    const value = raw[name]?.trim();
    if (!value) continue;
    try {
      parseCron(value);
    } catch (error) {
      throw new Error(`${name}: ${(error as Error).message}`);
    }
    schedules[job] = value;
  }
  return schedules;
}

export function cronEntries(schedules: JobSchedules): CronEntry[] {
  return JOB_NAMES.map((job) => ({ job, path: `/api/cron/${job}`, schedule: schedules[job], cron: parseCron(schedules[job]) }));
}
