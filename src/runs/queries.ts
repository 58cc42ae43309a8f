import type { Row } from "@libsql/client";
import type { Db } from "../db/client.js";
import { latestWithStatus, type Query } from "../db/query.js";
import { NotFoundError } from "../errors.js";
import { decodeCursor, encodeCursor } from "../shared/cursor.js";
import { agentStatsOf, toPerformance } from "./agent-stats.js";
import { toExecution, toRun, type Execution, type Run, type RunStatus } from "./types.js";

export async function healthStats(db: Db, since: number) {
  const [runs, duration, agents] = await db.batch(
    [
      { sql: "SELECT status, COUNT(*) AS n FROM orchestrations WHERE started_at >= ? GROUP BY status", args: [since] },
      { sql: "SELECT AVG(duration_ms) AS avg FROM orchestrations WHERE started_at >= ? AND duration_ms IS NOT NULL", args: [since] },
      { sql: "SELECT status, COUNT(*) AS n FROM agent_executions WHERE started_at >= ? GROUP BY status", args: [since] },
    ],
    "read",
  );
  const byStatus = (rows: Row[]) => Object.fromEntries(rows.map((r) => [String(r.status), Number(r.n)])) as Record<string, number>;
  const o = byStatus(runs!.rows);
  const a = byStatus(agents!.rows);
  const finishedAgents = (a.completed ?? 0) + (a.failed ?? 0);
  const avg = duration!.rows[0]?.avg;
  return {
    orchestrations: {
      total: Object.values(o).reduce((x, y) => x + y, 0),
      completed: o.completed ?? 0,
      failed: o.failed ?? 0,
      partial: o.partial ?? 0,
      running: o.running ?? 0,
    },
    agents: {
      total: Object.values(a).reduce((x, y) => x + y, 0),
      completed: a.completed ?? 0,
      failed: a.failed ?? 0,
      inProgress: a.in_progress ?? 0,
      successRate: finishedAgents > 0 ? (a.completed ?? 0) / finishedAgents : null,
    },
    averageDurationMs: avg === null || avg === undefined ? null : Math.round(Number(avg)),
  };
}

export async function agentDetail(db: Db, name: string, recent = 20) {
  const [stats, rows] = await db.batch(
    [
      agentStatsOf(name),
      { sql: "SELECT * FROM agent_executions WHERE agent_name = ? ORDER BY started_at DESC LIMIT ?", args: [name, recent] },
    ],
    "read",
  );
  const row = stats!.rows[0];
  if (!row || Number(row.runs) === 0) return undefined;
  return { ...toPerformance(row), recent: rows!.rows.map(toExecution) };
}

export async function failedRuns(db: Db, limit: number) {
  const rs = await db.execute({
    sql: latestWithStatus("orchestrations", "status", ["failed", "partial"], "started_at DESC, id DESC"),
    args: [limit, limit, limit],
  });
  return rs.rows.map(toRun).map((run) => ({ ...run, completionRate: run.totalTasks > 0 ? run.completedTasks / run.totalTasks : null }));
}

/** Keyset pagination over (started_at, id), newest first: stable under inserts, no OFFSET scans. */
export async function listRuns(
  db: Db,
  options: { status?: RunStatus; limit: number; cursor?: string },
): Promise<{ runs: Run[]; nextCursor: string | null }> {
  const after = options.cursor ? decodeCursor(options.cursor) : null;
  const rs = await db.execute({
    sql: `SELECT * FROM orchestrations WHERE (? IS NULL OR status = ?) AND (? IS NULL OR (started_at, id) < (?, ?))
          ORDER BY started_at DESC, id DESC LIMIT ?`,
    args: [options.status ?? null, options.status ?? null, after?.[0] ?? null, after?.[0] ?? null, after?.[1] ?? null, options.limit + 1],
  });
  const runs = rs.rows.slice(0, options.limit).map(toRun);
  const last = runs.at(-1);
  return { runs, nextCursor: rs.rows.length > options.limit && last ? encodeCursor(last.startedAt, last.id) : null };
}

export async function runExecutions(db: Db, sessionId: string): Promise<Execution[]> {
  return (await runWithExecutions(db, sessionId)).executions;
}

/** A run and its executions in one round trip; NotFoundError when there is no such run. */
export async function runWithExecutions(db: Db, sessionId: string): Promise<{ run: Run; executions: Execution[] }> {
  const [run, executions] = await db.batch(
    [
      { sql: "SELECT * FROM orchestrations WHERE session_id = ?", args: [sessionId] },
      {
        sql: `SELECT e.* FROM agent_executions e JOIN orchestrations o ON o.id = e.orchestration_id
              WHERE o.session_id = ? ORDER BY e.started_at, e.id`,
        args: [sessionId],
      },
    ],
    "read",
  );
  if (!run!.rows[0]) throw new NotFoundError(`No run with session id "${sessionId}"`);
  return { run: toRun(run!.rows[0]), executions: executions!.rows.map(toExecution) };
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
    sql: `SELECT session_id, task_description, status, completed_tasks, total_tasks, completed_at FROM (${latestWithStatus("orchestrations", "status", ["failed", "partial"], "started_at DESC, id DESC")})`,
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
