import { guarded } from "../db/guarded-batch.js";
import type { Deps } from "../deps.js";
import { eventInsert } from "../events/event-log.js";
import { archiveRun } from "./archive.js";
import { runEventType } from "./recording.js";
import { buildRunReport } from "./report.js";
import type { RunSettings } from "./settings.js";
import { toExecution, toRun, type RunStatus } from "./types.js";

const deriveStatus = (completed: number, failed: number): RunStatus =>
  failed === 0 ? "completed" : completed === 0 ? "failed" : "partial";

/**
 * Heartbeat work for runs. Each transition is a guarded update committed with its event in one
 * batch, and each event has a dedupe key, so overlapping heartbeats emit nothing twice.
 */
export async function detectRunTransitions(deps: Pick<Deps, "db" | "log">, now: number, { stallMs }: RunSettings) {
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

/** Completion handlers: a summary report and a verified archive for every finished run without one. */
export async function handleFinishedRuns(deps: Pick<Deps, "db" | "log">, now: number, limit = 50) {
  const { db } = deps;
  const rs = await db.execute({
    sql: `SELECT o.* FROM orchestrations o LEFT JOIN run_archives a ON a.session_id = o.session_id
          WHERE o.status != 'running' AND a.session_id IS NULL ORDER BY o.completed_at LIMIT ?`,
    args: [limit],
  });
  // Runs are independent, so they are handled side by side: at Turso's distance a backlog then
  // costs about the round trips of one run (7) instead of 7 per run, one run after another.
  const checks = await Promise.all(
    rs.rows.map(toRun).map(async (run) => {
      const executions = (
        await db.execute({ sql: "SELECT * FROM agent_executions WHERE orchestration_id = ? ORDER BY id", args: [run.id] })
      ).rows.map(toExecution);
      await db.execute({
        sql: "INSERT INTO run_reports (session_id, report, created_at) VALUES (?, ?, ?) ON CONFLICT (session_id) DO NOTHING",
        args: [run.sessionId, JSON.stringify(buildRunReport(run, executions, now)), now],
      });
      return { sessionId: run.sessionId, check: await archiveRun(db, run.sessionId, now) };
    }),
  );
  let archived = 0;
  let failed = 0;
  for (const { sessionId, check } of checks) {
    if (check.ok) archived++;
    else {
      failed++;
      deps.log.error("archive failed", { session_id: sessionId, reason: check.reason });
    }
  }
  return { archived, archiveFailures: failed };
}
