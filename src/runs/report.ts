import type { Db } from "../db/client.js";
import { iso } from "../time.js";
import { runWithExecutions } from "./queries.js";
import type { Execution, Run } from "./types.js";

/** The JSON summary of a finished run, written once on completion and kept after retention. */
export function buildRunReport(run: Run, executions: Execution[], generatedAt: number) {
  const byAgent = new Map<string, { executions: number; completed: number; failed: number; totalDurationMs: number }>();
  for (const e of executions) {
    const a = byAgent.get(e.agentName) ?? { executions: 0, completed: 0, failed: 0, totalDurationMs: 0 };
    a.executions++;
    if (e.status === "completed") a.completed++;
    if (e.status === "failed") a.failed++;
    a.totalDurationMs += e.durationMs ?? 0;
    byAgent.set(e.agentName, a);
  }
  return {
    sessionId: run.sessionId,
    taskDescription: run.taskDescription,
    status: run.status,
    completionSource: run.completionSource,
    startedAt: iso(run.startedAt),
    completedAt: iso(run.completedAt),
    durationMs: run.durationMs,
    tasks: {
      total: run.totalTasks,
      completed: run.completedTasks,
      failed: run.failedTasks,
      completionRate: run.totalTasks > 0 ? run.completedTasks / run.totalTasks : null,
    },
    executions: executions.length,
    filesCreated: executions.reduce((n, e) => n + e.filesCreated, 0),
    filesModified: executions.reduce((n, e) => n + e.filesModified, 0),
    retries: executions.reduce((n, e) => n + e.retryCount, 0),
    selfHealed: executions.filter((e) => e.selfHealed).length,
    agents: [...byAgent].map(([agentName, a]) => ({ agentName, ...a })),
    failures: executions
      .filter((e) => e.status === "failed")
      .map((e) => ({ agentName: e.agentName, agentSessionId: e.agentSessionId, taskId: e.taskId, errorMessage: e.errorMessage })),
    gitCommitHash: run.gitCommitHash,
    generatedAt: iso(generatedAt),
  };
}

export type RunReport = ReturnType<typeof buildRunReport>;

/** The report written at completion, or one built now for a run still going (or finished before reports existed). */
export async function runReport(db: Db, sessionId: string, now: number): Promise<RunReport> {
  const stored = await db.execute({ sql: "SELECT report FROM run_reports WHERE session_id = ?", args: [sessionId] });
  if (stored.rows[0]) return JSON.parse(String(stored.rows[0].report)) as RunReport;
  const { run, executions } = await runWithExecutions(db, sessionId);
  return buildRunReport(run, executions, now);
}
