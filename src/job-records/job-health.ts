import type { Db } from "../db/client.js";
import { firesBetween, parseCron } from "../shared/cron-expression.js";
import { latestRunsAndFirstRun, type JobRun } from "./job-runs.js";
import type { JobName } from "./names.js";

// Vercel may start a cron up to about a minute late; a fire only counts as missed after this.
const GRACE_MS = 90_000;

export interface JobHealth {
  job: JobName;
  schedule: string;
  lastRunAt: number | null;
  lastStatus: JobRun["status"] | null;
  missedIntervals: number;
  missed: boolean;
  recent: JobRun[];
}

/** Scheduled fires after `since` with no run since (counted up to 2: that is when a job is flagged). */
export function missedFires(schedule: string, since: number, now: number): number {
  return firesBetween(parseCron(schedule), since, now - GRACE_MS, 2).length;
}

/** `schedule` is the job's real cadence (Env.schedules), not what vercel.ts gave Vercel. */
export async function jobHealth(db: Db, job: JobName, schedule: string, now: number, recentLimit = 5): Promise<JobHealth> {
  // One round trip: the first-ever run (for a job that never ran) is read alongside.
  const { recent, firstRunAt } = await latestRunsAndFirstRun(db, job, recentLimit);
  const last = recent[0];
  // A job that never ran is measured from when Vigil first ran anything.
  const since = last?.startedAt ?? firstRunAt;
  const missedIntervals = since !== undefined ? missedFires(schedule, since, now) : 0;
  return {
    job,
    schedule,
    lastRunAt: last?.startedAt ?? null,
    lastStatus: last?.status ?? null,
    missedIntervals,
    missed: missedIntervals >= 2,
    recent,
  };
}
