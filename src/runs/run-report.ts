import type { Db } from "../db/client.js";
import { iso } from "../time.js";
import { runWithExecutions } from "./run-queries.js";
import type { Execution, Run } from "./types.js";
import { storedRunReport } from "./store/archives.js";

// A report is kept for good and read whole: a run with thousands of failures lists the first
// ones (their counts stay exact in `tasks` and `agents`), each error text cut short.
const MAX_FAILURES_LISTED = 100;
const MAX_ERROR_CHARS = 500;

/** Cuts a text to `max` characters (an ellipsis marks the cut), never inside a surrogate pair. */
export function boundText(text: string | null, max: number): string | null {
  if (text === null || text.length <= max) return text;
  const end = /[\uD800-\uDBFF]/.test(text[max - 2] ?? "") ? max - 2 : max - 1;
  return `${text.slice(0, end)}…`;
}

/**
 * The JSON summary of a run, built from its executions page by page so a run of any size is
 * summarised in the memory of one page.
 */
export function createRunReport(run: Run) {
  const byAgent = new Map<string, { executions: number; completed: number; failed: number; totalDurationMs: number }>();
  const failures: { agentName: string; agentSessionId: string; taskId: string | null; errorMessage: string | null }[] = [];
  const totals = { executions: 0, filesCreated: 0, filesModified: 0, retries: 0, selfHealed: 0 };
  return {
    add(executions: Execution[]) {
      for (const e of executions) {
        const a = byAgent.get(e.agentName) ?? { executions: 0, completed: 0, failed: 0, totalDurationMs: 0 };
        a.executions++;
        if (e.status === "completed") a.completed++;
        if (e.status === "failed") a.failed++;
        a.totalDurationMs += e.durationMs ?? 0;
        byAgent.set(e.agentName, a);
        totals.executions++;
        totals.filesCreated += e.filesCreated;
        totals.filesModified += e.filesModified;
        totals.retries += e.retryCount;
        if (e.selfHealed) totals.selfHealed++;
        if (e.status === "failed" && failures.length < MAX_FAILURES_LISTED)
          failures.push({
            agentName: e.agentName,
            agentSessionId: e.agentSessionId,
            taskId: e.taskId,
            errorMessage: boundText(e.errorMessage, MAX_ERROR_CHARS),
          });
      }
    },
    finish(generatedAt: number) {
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
        ...totals,
        agents: [...byAgent].map(([agentName, a]) => ({ agentName, ...a })),
        failures,
        gitCommitHash: run.gitCommitHash,
        generatedAt: iso(generatedAt),
      };
    },
  };
}

export type RunReport = ReturnType<ReturnType<typeof createRunReport>["finish"]>;

/** The report written at completion, or one built now for a run still going (or finished before reports existed). */
export async function runReport(db: Db, sessionId: string, now: number): Promise<RunReport> {
  const stored = await storedRunReport(db, sessionId);
  if (stored !== undefined) return JSON.parse(stored) as RunReport;
  const { run, executions } = await runWithExecutions(db, sessionId);
  const report = createRunReport(run);
  report.add(executions);
  return report.finish(now);
}
