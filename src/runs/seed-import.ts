import type { InStatement } from "@libsql/client";
import type { Db } from "../db/client.js";
import { guarded } from "../db/guarded-batch.js";
import { agentRunImported } from "./store/agent-stats.js";
import { seedExecutionInsert, seedRunInsert, storedCount } from "./store/runs.js";
import type { SeedExecution, SeedRun } from "./types.js";

// Seed 002's monitoring.db, moved in: its orchestrations and agent_executions (the columns its
// "Database Schema" lists) become Vigil's, keyed by their session ids so a second import adds
// only what is new. Times are the seed's (SQLite datetime text or epoch numbers).

/** The execution, linked through its run's session id, and its agent's counters, only if it is new. */
function executionInsert(e: SeedExecution, runSessionId: string | null): InStatement[] {
  const finished = e.status !== "in_progress" && e.durationMs !== null;
  return guarded(
    seedExecutionInsert(e, runSessionId),
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
  const runsBefore = await storedCount(
    db,
    "runs",
    runs.map((r) => r.sessionId),
    BATCH,
  );
  const execsBefore = await storedCount(
    db,
    "executions",
    executions.map((e) => e.agentSessionId),
    BATCH,
  );
  const counts = (read: number, before: number): ImportCounts => ({ read, imported: read - before, existing: before });
  if (!dryRun) {
    const sessionOf = new Map(runs.map((r) => [r.id, r.sessionId]));
    for (let i = 0; i < runs.length; i += BATCH) await db.batch(runs.slice(i, i + BATCH).map(seedRunInsert), "write");
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
