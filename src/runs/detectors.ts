import type { Db } from "../db/client.js";
import { guarded } from "../db/guarded-batch.js";
import { eventInsert } from "../event-log/event-log.js";
import type { Logger } from "../log.js";
import { archiveFinishedRun } from "./archive.js";
import { runEventType } from "./recording.js";
import type { RunSettings } from "./settings.js";
import { unarchivedRuns } from "./store/archives.js";
import { derivedCompletion, idleRuns, runsWithAllTasksDone, stallMark } from "./store/runs.js";
import type { Run, RunStatus } from "./types.js";

const deriveStatus = (completed: number, failed: number): RunStatus =>
  failed === 0 ? "completed" : completed === 0 ? "failed" : "partial";

/**
 * Heartbeat work for runs. Each transition is a guarded update committed with its event in one
 * batch, and each event has a dedupe key, so overlapping heartbeats emit nothing twice.
 */
export async function detectRunTransitions(deps: { db: Db; log: Logger }, now: number, { stallMs }: RunSettings) {
  const { db } = deps;

  let completed = 0;
  for (const run of await runsWithAllTasksDone(db)) {
    const status = deriveStatus(run.completedTasks, run.failedTasks);
    const [update] = await db.batch(
      guarded(
        derivedCompletion(run.id, status, now),
        eventInsert({
          type: runEventType(status),
          subject: run.sessionId,
          dedupeKey: `run_finished:${run.sessionId}`,
          payload: {
            sessionId: run.sessionId,
            status,
            completedTasks: run.completedTasks,
            failedTasks: run.failedTasks,
            source: "derived",
          },
          at: now,
        }),
      ),
      "write",
    );
    if (update!.rowsAffected === 1) {
      completed++;
      deps.log.info("run completed", { session_id: run.sessionId, status, source: "derived" });
    }
  }

  let stalled = 0;
  for (const run of await idleRuns(db, now - stallMs)) {
    const [update] = await db.batch(
      guarded(
        stallMark(run, now),
        eventInsert({
          type: "run_stalled",
          subject: run.sessionId,
          // Once per stall: progress moves last_progress_at and so the key.
          dedupeKey: `run_stalled:${run.sessionId}:${run.lastProgressAt}`,
          payload: {
            sessionId: run.sessionId,
            lastProgressAt: new Date(run.lastProgressAt).toISOString(),
            minutesIdle: Math.round((now - run.lastProgressAt) / 60_000),
          },
          at: now,
        }),
      ),
      "write",
    );
    if (update!.rowsAffected === 1) {
      stalled++;
      deps.log.warn("run stalled", { session_id: run.sessionId, minutes_idle: Math.round((now - run.lastProgressAt) / 60_000) });
    }
  }
  return { completed, stalled };
}

// Runs archived side by side hold their snapshots at once: a wave holds runs until their
// executions reach this sum (a bigger run goes alone), so parallel archiving stays in bounded memory.
const WAVE_EXECUTIONS = 5_000;
// The heartbeat runs every minute: archiving starts no new wave after this long, and the next
// heartbeat (alerts first) takes up the rest, so a backlog of large runs never holds the lease
// across heartbeats.
const ARCHIVE_BUDGET_MS = 30_000;

/** Completion handlers: a summary report and a verified archive for every finished run without one. */
export async function handleFinishedRuns(
  deps: { db: Db; log: Logger; clock: () => number },
  now: number,
  { archiveMaxExecutions }: RunSettings,
  limit = 50,
) {
  const { db } = deps;
  const started = deps.clock();
  const waves: { run: Run; count: number }[][] = [];
  let weight = Number.POSITIVE_INFINITY;
  for (const { run, executionCount: count } of await unarchivedRuns(db, limit)) {
    if (weight + count > WAVE_EXECUTIONS) {
      waves.push([]);
      weight = 0;
    }
    waves.at(-1)!.push({ run, count });
    weight += count;
  }
  let archived = 0;
  let failed = 0;
  // Within a wave runs are independent, so they are handled side by side: at Turso's distance a
  // backlog of small runs then costs about the round trips of one run instead of those of each.
  let deferred = 0;
  for (const [i, wave] of waves.entries()) {
    if (i > 0 && deps.clock() - started >= ARCHIVE_BUDGET_MS) {
      deferred = waves.slice(i).reduce((n, w) => n + w.length, 0);
      deps.log.info("archiving continues next heartbeat", { deferred_runs: deferred });
      break;
    }
    const checks = await Promise.all(
      wave.map(async ({ run, count }) => ({
        sessionId: run.sessionId,
        check: await archiveFinishedRun(db, run, count, archiveMaxExecutions, now),
      })),
    );
    for (const { sessionId, check } of checks) {
      if (check.ok) archived++;
      else {
        failed++;
        deps.log.error("archive failed", { session_id: sessionId, reason: check.reason });
      }
    }
  }
  return deferred > 0 ? { archived, archiveFailures: failed, deferred } : { archived, archiveFailures: failed };
}
