import type { Db } from "../db/client.js";
import { readAll } from "../db/query.js";
import { NotFoundError } from "../errors.js";
import { decodeCursor, encodeCursor } from "../shared/cursor.js";
import { agentStatsOf, toPerformance } from "./store/agent-stats.js";
import {
  averageRunDurationSince,
  executionsByStatusSince,
  executionsOfRun,
  newestFailedRuns,
  recentExecutionsOf,
  runBySession,
  runsByStatusSince,
  runsPage,
} from "./store/runs.js";
import type { Execution, Run, RunStatus } from "./types.js";

// Runs, agents and stats as the API shows them, each read in one round trip.

export async function healthStats(db: Db, since: number) {
  const [o, avg, a] = await readAll(db, [runsByStatusSince(since), averageRunDurationSince(since), executionsByStatusSince(since)]);
  const finishedAgents = (a.completed ?? 0) + (a.failed ?? 0);
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
    averageDurationMs: avg === null ? null : Math.round(avg),
  };
}

export async function agentDetail(db: Db, name: string, recent = 20) {
  const executions = recentExecutionsOf(name, recent);
  const [stats, rows] = await db.batch([agentStatsOf(name), executions.statement], "read");
  const row = stats!.rows[0];
  if (!row || Number(row.runs) === 0) return undefined;
  return { ...toPerformance(row), recent: executions.map(rows!) };
}

export async function failedRuns(db: Db, limit: number) {
  return (await newestFailedRuns(db, limit)).map((run) => ({
    ...run,
    completionRate: run.totalTasks > 0 ? run.completedTasks / run.totalTasks : null,
  }));
}

/** Keyset pagination over (started_at, id), newest first: stable under inserts, no OFFSET scans. */
export async function listRuns(
  db: Db,
  options: { status?: RunStatus; limit: number; cursor?: string },
): Promise<{ runs: Run[]; nextCursor: string | null }> {
  const after = options.cursor ? decodeCursor(options.cursor) : null;
  const page = await runsPage(db, options.status, after, options.limit);
  const runs = page.slice(0, options.limit);
  const last = runs.at(-1);
  return { runs, nextCursor: page.length > options.limit && last ? encodeCursor(last.startedAt, last.id) : null };
}

export async function runExecutions(db: Db, sessionId: string): Promise<Execution[]> {
  return (await runWithExecutions(db, sessionId)).executions;
}

/** A run and its executions in one round trip; NotFoundError when there is no such run. */
export async function runWithExecutions(db: Db, sessionId: string): Promise<{ run: Run; executions: Execution[] }> {
  const [run, executions] = await readAll(db, [runBySession(sessionId), executionsOfRun(sessionId)]);
  if (!run) throw new NotFoundError(`No run with session id "${sessionId}"`);
  return { run, executions };
}
