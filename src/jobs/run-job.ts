import { randomUUID } from "node:crypto";
import type { JobContext } from "./context.js";
import { acquireLease, releaseLease, type LeaseRefusal } from "../job-records/lease.js";
import { recordRunEnd, recordRunStart, recordSkippedRun } from "../job-records/job-runs.js";
import type { JobName, JobSummary } from "../job-records/names.js";
import type { JobFn } from "./types.js";
import { errorMessage } from "../errors.js";

export type JobOutcome = { status: "ok"; runId: string; summary: JobSummary } | { status: "skipped"; runId: string; reason: LeaseRefusal };

/**
 * Jobs whose runs are counted by scheduled slot: a second delivery of the same slot is skipped.
 * The heartbeat's alert timing and dead-man's switch mean "once a minute"; monitor and
 * checkpoint are idempotent and stay callable on demand.
 */
const RUNS_ONCE_PER: Partial<Record<JobName, number>> = { heartbeat: 60_000 };

/**
 * Runs a job the way every caller (cron route, local scheduler, CLI, tests) must: under the
 * job's lease, recorded in job_runs. The lease outlives the function's max duration, so a
 * crashed run blocks the job for at most that long.
 */
export async function runJob(deps: JobContext, name: JobName, fn: JobFn, now = deps.clock()): Promise<JobOutcome> {
  const { db } = deps;
  const log = deps.log.child({ job: name });
  const runId = randomUUID();
  const ttlMs = deps.settings.jobs.leaseMs;

  const width = RUNS_ONCE_PER[name];
  // Slot 0 means "no slot"; a real slot is the start of the scheduled minute (never 0 after 1970).
  const slot = width ? Math.floor(now / width) * width : 0;
  const refused = await acquireLease(db, name, runId, now, ttlMs, slot);
  if (refused) {
    await recordSkippedRun(db, { id: runId, job: name, at: now, reason: refused });
    log.info("job skipped", { run_id: runId, reason: refused });
    return { status: "skipped", runId, reason: refused };
  }

  const started = performance.now();
  try {
    await recordRunStart(db, { id: runId, job: name, startedAt: now });
    let summary: JobSummary;
    try {
      summary = await fn({ ...deps, log }, now);
    } catch (error) {
      const durationMs = Math.round(performance.now() - started);
      const message = errorMessage(error);
      log.error("job failed", { run_id: runId, duration_ms: durationMs, err: error });
      await recordRunEnd(db, runId, { status: "error", finishedAt: deps.clock(), durationMs, error: message });
      throw error;
    }
    const durationMs = Math.round(performance.now() - started);
    await recordRunEnd(db, runId, { status: "ok", finishedAt: deps.clock(), durationMs, summary });
    log.info("job finished", { run_id: runId, duration_ms: durationMs, summary });
    return { status: "ok", runId, summary };
  } finally {
    await releaseLease(db, name, runId).catch((error: unknown) => log.error("lease release failed", { err: error }));
  }
}
