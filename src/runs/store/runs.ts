// The one module with SQL for orchestrations (the runs) and agent_executions (their steps). One
// module owns both because their statements join them: a run's executions are read and counted
// by the run's session id, the archive backlog counts each run's executions, and the seed import
// links an execution to its run by session id.
import type { InStatement, ResultSet, Row } from "@libsql/client";
import type { Db } from "../../db/client.js";
import { latestWithStatus, type Query } from "../../db/query.js";
import type { CompleteExecution, CompleteRun, Progress, StartExecution, StartRun } from "../schemas.js";
import { type Execution, type Run, type RunStatus, type SeedExecution, type SeedRun, toExecution, toRun } from "../types.js";

const firstRun = (rs: ResultSet) => (rs.rows[0] ? toRun(rs.rows[0]) : undefined);
const byStatus = (rs: ResultSet) => Object.fromEntries(rs.rows.map((r) => [String(r.status), Number(r.n)])) as Record<string, number>;

export const runBySession = (sessionId: string): Query<Run | undefined> => ({
  statement: { sql: "SELECT * FROM orchestrations WHERE session_id = ?", args: [sessionId] },
  map: firstRun,
});

export const findRun = async (db: Db, sessionId: string): Promise<Run | undefined> =>
  firstRun(await db.execute(runBySession(sessionId).statement));

export const findRunById = async (db: Db, id: number): Promise<Run | undefined> =>
  firstRun(await db.execute({ sql: "SELECT * FROM orchestrations WHERE id = ?", args: [id] }));

export async function findExecution(db: Db, agentSessionId: string): Promise<Execution | undefined> {
  const rs = await db.execute({ sql: "SELECT * FROM agent_executions WHERE agent_session_id = ?", args: [agentSessionId] });
  return rs.rows[0] ? toExecution(rs.rows[0]) : undefined;
}

/** A run's executions, found by its session id, in start order. */
export const executionsOfRun = (sessionId: string): Query<Execution[]> => ({
  statement: {
    sql: `SELECT e.* FROM agent_executions e JOIN orchestrations o ON o.id = e.orchestration_id
          WHERE o.session_id = ? ORDER BY e.started_at, e.id`,
    args: [sessionId],
  },
  map: (rs) => rs.rows.map(toExecution),
});

/** How many executions a run has now, found by its session id (what its archive must hold). */
export const executionCountOf = (sessionId: string): Query<number> => ({
  statement: {
    sql: "SELECT COUNT(*) AS n FROM agent_executions e JOIN orchestrations o ON o.id = e.orchestration_id WHERE o.session_id = ?",
    args: [sessionId],
  },
  map: (rs) => Number(rs.rows[0]!.n),
});

/** An agent's newest executions. */
export const recentExecutionsOf = (agentName: string, limit: number): Query<Execution[]> => ({
  statement: { sql: "SELECT * FROM agent_executions WHERE agent_name = ? ORDER BY started_at DESC LIMIT ?", args: [agentName, limit] },
  map: (rs) => rs.rows.map(toExecution),
});

/** Runs started since `since`, by status. */
export const runsByStatusSince = (since: number): Query<Record<string, number>> => ({
  statement: { sql: "SELECT status, COUNT(*) AS n FROM orchestrations WHERE started_at >= ? GROUP BY status", args: [since] },
  map: byStatus,
});

/** The mean duration of the finished runs started since `since`. */
export const averageRunDurationSince = (since: number): Query<number | null> => ({
  statement: { sql: "SELECT AVG(duration_ms) AS avg FROM orchestrations WHERE started_at >= ? AND duration_ms IS NOT NULL", args: [since] },
  map: (rs) => {
    const avg = rs.rows[0]?.avg;
    return avg === null || avg === undefined ? null : Number(avg);
  },
});

/** Executions started since `since`, by status. */
export const executionsByStatusSince = (since: number): Query<Record<string, number>> => ({
  statement: { sql: "SELECT status, COUNT(*) AS n FROM agent_executions WHERE started_at >= ? GROUP BY status", args: [since] },
  map: byStatus,
});

const FAILED_RUNS = latestWithStatus("orchestrations", "status", ["failed", "partial"], "started_at DESC, id DESC");

/** The newest failed or partial runs, whole. */
export async function newestFailedRuns(db: Db, limit: number): Promise<Run[]> {
  return (await db.execute({ sql: FAILED_RUNS, args: [limit, limit, limit] })).rows.map(toRun);
}

/** A page of runs, newest first, started before the (started_at, id) key `after` if given; one row more than `limit` says there is a next page. */
export async function runsPage(db: Db, status: RunStatus | undefined, after: [number, number] | null, limit: number): Promise<Run[]> {
  const rs = await db.execute({
    sql: `SELECT * FROM orchestrations WHERE (? IS NULL OR status = ?) AND (? IS NULL OR (started_at, id) < (?, ?))
          ORDER BY started_at DESC, id DESC LIMIT ?`,
    args: [status ?? null, status ?? null, after?.[0] ?? null, after?.[0] ?? null, after?.[1] ?? null, limit + 1],
  });
  return rs.rows.map(toRun);
}

/** Runs finished since `since`, per `step`-wide slot and final status. */
export const finishedRunsPerSlot = (since: number, step: number): Query<{ slot: number; status: string; n: number }[]> => ({
  statement: {
    sql: `SELECT (completed_at / ${step}) * ${step} AS slot, status, COUNT(*) AS n FROM orchestrations WHERE completed_at >= ? GROUP BY 1, 2`,
    args: [since],
  },
  map: (rs) => rs.rows.map((r) => ({ slot: Number(r.slot), status: String(r.status), n: Number(r.n) })),
});

export interface FailedRunSummary {
  sessionId: string;
  taskDescription: string;
  status: string;
  completedTasks: number;
  totalTasks: number;
  at: number;
}

/** The newest failed or partial runs. */
export const recentFailedRuns = (limit: number): Query<FailedRunSummary[]> => ({
  statement: {
    sql: `SELECT session_id, task_description, status, completed_tasks, total_tasks, completed_at FROM (${FAILED_RUNS})`,
    args: [limit, limit, limit],
  },
  map: (rs) =>
    rs.rows.map((r) => ({
      sessionId: String(r.session_id),
      taskDescription: String(r.task_description),
      status: String(r.status),
      completedTasks: Number(r.completed_tasks),
      totalTasks: Number(r.total_tasks),
      at: Number(r.completed_at),
    })),
});

/** Running runs the stall detector has flagged and that made no progress since. */
export const stalledRuns = (): Query<{ sessionId: string; lastProgressAt: number }[]> => ({
  statement:
    "SELECT session_id, last_progress_at FROM orchestrations WHERE status = 'running' AND stalled_at IS NOT NULL AND stalled_at > last_progress_at",
  map: (rs) => rs.rows.map((r) => ({ sessionId: String(r.session_id), lastProgressAt: Number(r.last_progress_at) })),
});

/** Runs still running whose tasks are all reported done. */
export const runsWithAllTasksDone = async (db: Db): Promise<Run[]> =>
  (
    await db.execute(
      "SELECT * FROM orchestrations WHERE status = 'running' AND completed_tasks + failed_tasks >= total_tasks AND total_tasks > 0",
    )
  ).rows.map(toRun);

/** Running runs without progress since `before`, not yet flagged for it. */
export async function idleRuns(db: Db, before: number): Promise<Run[]> {
  const rs = await db.execute({
    sql: `SELECT * FROM orchestrations WHERE status = 'running' AND last_progress_at <= ?
          AND (stalled_at IS NULL OR stalled_at < last_progress_at)`,
    args: [before],
  });
  return rs.rows.map(toRun);
}

/**
 * Finished runs, oldest first, with their execution counts, that `condition` keeps: SQL about the
 * run `o` from the module that owns the table it reads (archives.ts: those not archived yet).
 */
export async function finishedRunsWhere(db: Db, condition: string, limit: number): Promise<{ run: Run; executionCount: number }[]> {
  const rs = await db.execute({
    sql: `SELECT o.*, (SELECT COUNT(*) FROM agent_executions e WHERE e.orchestration_id = o.id) AS execution_count
          FROM orchestrations o WHERE o.status != 'running' AND ${condition} ORDER BY o.completed_at LIMIT ?`,
    args: [limit],
  });
  return rs.rows.map((row) => ({ run: toRun(row), executionCount: Number(row.execution_count) }));
}

/** SQL true when the run named by `alias.session_id` is no longer kept. */
export const runGone = (alias: string) => `NOT EXISTS (SELECT 1 FROM orchestrations o WHERE o.session_id = ${alias}.session_id)`;

/** Finished runs that completed before `cutoff`, oldest first. */
export async function runsFinishedBefore(db: Db, cutoff: number, limit: number): Promise<{ id: number; sessionId: string }[]> {
  const rs = await db.execute({
    sql: "SELECT id, session_id FROM orchestrations WHERE status != 'running' AND completed_at < ? ORDER BY completed_at LIMIT ?",
    args: [cutoff, limit],
  });
  return rs.rows.map((r) => ({ id: Number(r.id), sessionId: String(r.session_id) }));
}

/** A run's deletion with its executions, for one write batch: the executions explicitly, rather than trusting every connection's foreign_keys setting. */
export const runDeletion = (id: number): InStatement[] => [
  { sql: "DELETE FROM agent_executions WHERE orchestration_id = ?", args: [id] },
  { sql: "DELETE FROM orchestrations WHERE id = ?", args: [id] },
];

/** A run's executions in pages, in the order of its index (start time, then id). */
export async function* executionPages(db: Db, orchestrationId: number, pageSize: number): AsyncGenerator<Execution[]> {
  let after: [number, number] = [Number.MIN_SAFE_INTEGER, 0];
  for (;;) {
    const rs = await db.execute({
      sql: `SELECT * FROM agent_executions WHERE orchestration_id = ? AND (started_at, id) > (?, ?)
            ORDER BY started_at, id LIMIT ${pageSize}`,
      args: [orchestrationId, ...after],
    });
    const page = rs.rows.map(toExecution);
    if (page.length > 0) yield page;
    if (page.length < pageSize) return;
    const last = page.at(-1)!;
    after = [last.startedAt, last.id];
  }
}

// Each row is mapped as the stream takes it: mapping a page at a time ahead of the stream took the
// export's peak heap from 3-15 MB to about 100 MB for 119 MB exported (test/runs/export.http.test.ts).
async function* byId<T>(db: Db, table: "orchestrations" | "agent_executions", map: (row: Row) => T, pageSize: number, runId?: number) {
  const filter = runId === undefined ? "1" : "orchestration_id = ?";
  let after = 0;
  for (;;) {
    const rs = await db.execute({
      sql: `SELECT * FROM ${table} WHERE id > ? AND ${filter} ORDER BY id LIMIT ${pageSize}`,
      args: runId === undefined ? [after] : [after, runId],
    });
    for (const row of rs.rows) yield map(row);
    if (rs.rows.length < pageSize) return;
    after = Number(rs.rows.at(-1)!.id);
  }
}

/** Every run, read `pageSize` rows at a time by id. */
export const runsById = (db: Db, pageSize: number): AsyncGenerator<Run> => byId(db, "orchestrations", toRun, pageSize);

/** Every execution, or those of one run, read `pageSize` rows at a time by id. */
export const executionsById = (db: Db, pageSize: number, runId?: number): AsyncGenerator<Execution> =>
  byId(db, "agent_executions", toExecution, pageSize, runId);

/** A new run, unless its session id is taken: it returns the new id only when it inserted. */
export const runInsert = (input: StartRun, now: number): InStatement => ({
  sql: `INSERT INTO orchestrations (session_id, task_description, status, started_at, total_tasks, git_commit_hash,
          plan_file_path, progress_file_path, last_progress_at)
        VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?) ON CONFLICT (session_id) DO NOTHING RETURNING id`,
  args: [
    input.sessionId,
    input.taskDescription,
    now,
    input.totalTasks,
    input.gitCommitHash ?? null,
    input.planFilePath ?? null,
    input.progressFilePath ?? null,
    now,
  ],
});

/** Progress of a running run (none once it has finished). */
export const progressUpdate = (sessionId: string, input: Progress, now: number): InStatement => ({
  sql: `UPDATE orchestrations SET completed_tasks = COALESCE(?, completed_tasks), failed_tasks = COALESCE(?, failed_tasks),
          last_message = COALESCE(?, last_message), last_progress_at = ?
        WHERE session_id = ? AND status = 'running'`,
  args: [input.completedTasks ?? null, input.failedTasks ?? null, input.message ?? null, now, sessionId],
});

/** A run's reported end, only while it runs: the primary of a guarded batch. */
export const reportedCompletion = (sessionId: string, input: CompleteRun, now: number): InStatement => ({
  sql: `UPDATE orchestrations SET status = ?, completed_tasks = ?, failed_tasks = ?, completed_at = ?,
          duration_ms = ? - started_at, completion_source = 'reported'
        WHERE session_id = ? AND status = 'running'`,
  args: [input.status, input.completedTasks, input.failedTasks, now, now, sessionId],
});

/** A run's end derived from its tasks, only while it runs: the primary of a guarded batch. */
export const derivedCompletion = (runId: number, status: RunStatus, now: number): InStatement => ({
  sql: `UPDATE orchestrations SET status = ?, completed_at = ?, duration_ms = ? - started_at, completion_source = 'derived'
        WHERE id = ? AND status = 'running'`,
  args: [status, now, now, runId],
});

/** Flags a stall once per stretch without progress: the primary of a guarded batch. */
export const stallMark = (run: Run, now: number): InStatement => ({
  sql: "UPDATE orchestrations SET stalled_at = ? WHERE id = ? AND last_progress_at = ? AND (stalled_at IS NULL OR stalled_at < last_progress_at)",
  args: [now, run.id, run.lastProgressAt],
});

/** A new execution, unless its session id is taken: it returns the new id only when it inserted. */
export const executionInsert = (orchestrationId: number | null, input: StartExecution, now: number): InStatement => ({
  sql: `INSERT INTO agent_executions (orchestration_id, agent_session_id, agent_name, task_id, task_number, status, started_at)
        VALUES (?, ?, ?, ?, ?, 'in_progress', ?) ON CONFLICT (agent_session_id) DO NOTHING RETURNING id`,
  args: [orchestrationId, input.agentSessionId, input.agentName, input.taskId ?? null, input.taskNumber ?? null, now],
});

/** An execution's end, only while it is in progress: the primary of a guarded batch. */
export const executionCompletion = (agentSessionId: string, input: CompleteExecution, now: number): InStatement => ({
  sql: `UPDATE agent_executions SET status = ?, completed_at = ?, duration_ms = ? - started_at, files_created = ?,
          files_modified = ?, retry_count = ?, self_healed = ?, error_message = ?, summary_report_path = ?, session_log_path = ?
        WHERE agent_session_id = ? AND status = 'in_progress'`,
  args: [
    input.status,
    now,
    now,
    input.filesCreated,
    input.filesModified,
    input.retryCount,
    input.selfHealed ? 1 : 0,
    input.errorMessage ?? null,
    input.summaryReportPath ?? null,
    input.sessionLogPath ?? null,
    agentSessionId,
  ],
});

/** A seed run, unless its session id is taken. */
export const seedRunInsert = (r: SeedRun): InStatement => ({
  sql: `INSERT INTO orchestrations (session_id, task_description, status, started_at, completed_at, duration_ms, total_tasks,
          completed_tasks, failed_tasks, git_commit_hash, plan_file_path, progress_file_path, last_progress_at, completion_source)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (session_id) DO NOTHING`,
  args: [
    r.sessionId,
    r.taskDescription,
    r.status,
    r.startedAt,
    r.completedAt,
    r.durationMs,
    r.totalTasks,
    r.completedTasks,
    r.failedTasks,
    r.gitCommitHash,
    r.planFilePath,
    r.progressFilePath,
    r.completedAt ?? r.startedAt,
    r.status === "running" ? null : "reported",
  ],
});

/** A seed execution linked to its run through the run's session id, unless its session id is taken. */
export const seedExecutionInsert = (e: SeedExecution, runSessionId: string | null): InStatement => ({
  sql: `INSERT INTO agent_executions (orchestration_id, agent_session_id, agent_name, task_id, task_number, status, started_at,
          completed_at, duration_ms, retry_count, self_healed, files_created, files_modified, error_message, summary_report_path,
          session_log_path)
        VALUES ((SELECT id FROM orchestrations WHERE session_id = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (agent_session_id) DO NOTHING`,
  args: [
    runSessionId,
    e.agentSessionId,
    e.agentName,
    e.taskId,
    e.taskNumber,
    e.status,
    e.startedAt,
    e.completedAt,
    e.durationMs,
    e.retryCount,
    e.selfHealed ? 1 : 0,
    e.filesCreated,
    e.filesModified,
    e.errorMessage,
    e.summaryReportPath,
    e.sessionLogPath,
  ],
});

/** How many of these runs (by session id) or executions (by agent session id) are stored, `batch` keys per round trip. */
export async function storedCount(db: Db, of: "runs" | "executions", keys: string[], batch: number): Promise<number> {
  const [table, column] = of === "runs" ? ["orchestrations", "session_id"] : ["agent_executions", "agent_session_id"];
  let n = 0;
  for (let i = 0; i < keys.length; i += batch) {
    const rs = await db.execute({
      sql: `SELECT COUNT(*) AS n FROM ${table} WHERE ${column} IN (SELECT value FROM json_each(?))`,
      args: [JSON.stringify(keys.slice(i, i + batch))],
    });
    n += Number(rs.rows[0]!.n);
  }
  return n;
}
