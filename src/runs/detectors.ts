import type { Db } from "../db/client.js";
import { guarded } from "../db/guarded-batch.js";
import { eventInsert } from "../event-log/event-log.js";
import type { Logger } from "../log.js";
import { archiveFinishedRun } from "./archive.js";
import { runEventType } from "./recording.js";
import type { RunSettings } from "./settings.js";
import { type Run, type RunStatus, toRun } from "./types.js";

const deriveStatus = (completed: number, failed: number): RunStatus =>
  failed === 0 ? "completed" : completed === 0 ? "failed" : "partial";

/**
 * Heartbeat work for runs. Each transition is a guarded update committed with its event in one
 * batch, and each event has a dedupe key, so overlapping heartbeats emit nothing twice.
 */
export async function detectRunTransitions(deps: { db: Db; log: Logger }, now: number, { stallMs }: RunSettings) {
  const { db } = deps;

  const done = await db.execute(
    "SELECT * FROM orchestrations WHERE status = 'running' AND completed_tasks + failed_tasks >= total_tasks AND total_tasks > 0",
  );
  let completed = 0;
  for (const run of done.rows.map(toRun)) {
    const status = deriveStatus(run.completedTasks, run.failedTasks);
    const [update] = await db.batch(
      guarded(
        {
          sql: `UPDATE orchestrations SET status = ?, completed_at = ?, duration_ms = ? - started_at, completion_source = 'derived'
                WHERE id = ? AND status = 'running'`,
          args: [status, now, now, run.id],
        },
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

  const idle = await db.execute({
    sql: `SELECT * FROM orchestrations WHERE status = 'running' AND last_progress_at <= ?
          AND (stalled_at IS NULL OR stalled_at < last_progress_at)`,
    args: [now - stallMs],
  });
  let stalled = 0;
  for (const run of idle.rows.map(toRun)) {
    const [update] = await db.batch(
      guarded(
        {
          sql: "UPDATE orchestrations SET stalled_at = ? WHERE id = ? AND last_progress_at = ? AND (stalled_at IS NULL OR stalled_at < last_progress_at)",
          args: [now, run.id, run.lastProgressAt],
        },
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
  const rs = await db.execute({
    sql: `SELECT o.*, (SELECT COUNT(*) FROM agent_executions e WHERE e.orchestration_id = o.id) AS execution_count
          FROM orchestrations o LEFT JOIN run_archives a ON a.session_id = o.session_id
          WHERE o.status != 'running' AND a.session_id IS NULL ORDER BY o.completed_at LIMIT ?`,
    args: [limit],
  });
  const waves: { run: Run; count: number }[][] = [];
  let weight = Number.POSITIVE_INFINITY;
  for (const row of rs.rows) {
    const count = Number(row.execution_count);
    if (weight + count > WAVE_EXECUTIONS) {
      waves.push([]);
      weight = 0;
    }
    waves.at(-1)!.push({ run: toRun(row), count });
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
