import type { InStatement } from "@libsql/client";
import type { Db } from "../db/client.js";
import { guarded } from "../db/guarded-batch.js";
import { agentRunImported } from "./agent-stats.js";
import type { Execution, Run } from "./types.js";

// Seed 002's monitoring.db, moved in: its orchestrations and agent_executions (the columns its
// "Database Schema" lists) become Vigil's, keyed by their session ids so a second import adds
// only what is new. Times are the seed's (SQLite datetime text or epoch numbers).

/** A run as the seed stored it: Vigil's run fields without the progress Vigil tracks itself. */
export type SeedRun = Omit<Run, "lastProgressAt" | "lastMessage" | "completionSource" | "stalledAt">;

/** An agent execution as the seed stored it: Vigil's fields, its own status names, its run's seed id. */
export type SeedExecution = Omit<Execution, "id" | "orchestrationId" | "status"> & {
  /** The seed's orchestrations.id (its foreign key), or null. */
  seedRunId: number | null;
  status: "in_progress" | "completed" | "failed";
};

const runInsert = (r: SeedRun): InStatement => ({
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

/** The execution, linked through its run's session id, and its agent's counters, only if it is new. */
function executionInsert(e: SeedExecution, runSessionId: string | null): InStatement[] {
  const finished = e.status !== "in_progress" && e.durationMs !== null;
  return guarded(
    {
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
    },
    // The same counters recording.ts keeps (performance reads them), for what this import added.
    agentRunImported(e.agentName, e.status, finished ? e.durationMs : null),
  );
}

export interface ImportCounts {
  read: number;
  imported: number;
  existing: number;
}

const BATCH = 200;

/** Imports the seed's runs and then their executions, a batch per round trip; `dryRun` counts what would be added. */
export async function importSeedRuns(
  db: Db,
  runs: SeedRun[],
  executions: SeedExecution[],
  dryRun: boolean,
): Promise<{ orchestrations: ImportCounts; agentExecutions: ImportCounts }> {
  const existing = async (table: string, column: string, keys: string[]) => {
    let n = 0;
    for (let i = 0; i < keys.length; i += BATCH) {
      const rs = await db.execute({
        sql: `SELECT COUNT(*) AS n FROM ${table} WHERE ${column} IN (SELECT value FROM json_each(?))`,
        args: [JSON.stringify(keys.slice(i, i + BATCH))],
      });
      n += Number(rs.rows[0]!.n);
    }
    return n;
  };
  const runsBefore = await existing(
    "orchestrations",
    "session_id",
    runs.map((r) => r.sessionId),
  );
  const execsBefore = await existing(
    "agent_executions",
    "agent_session_id",
    executions.map((e) => e.agentSessionId),
  );
  const counts = (read: number, before: number): ImportCounts => ({ read, imported: read - before, existing: before });
  if (!dryRun) {
    const sessionOf = new Map(runs.map((r) => [r.id, r.sessionId]));
    for (let i = 0; i < runs.length; i += BATCH) await db.batch(runs.slice(i, i + BATCH).map(runInsert), "write");
    for (let i = 0; i < executions.length; i += BATCH)
      await db.batch(
        executions
          .slice(i, i + BATCH)
          .flatMap((e) => executionInsert(e, e.seedRunId === null ? null : (sessionOf.get(e.seedRunId) ?? null))),
        "write",
      );
  }
  return { orchestrations: counts(runs.length, runsBefore), agentExecutions: counts(executions.length, execsBefore) };
}
