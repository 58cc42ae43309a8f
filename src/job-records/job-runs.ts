// The one module with SQL for job_runs: the cron route's records of each run, and what job health,
// /api/health, the job_missed signal and /api/metrics read of them.
import type { Db } from "../db/client.js";
import { olderThan, type Query } from "../db/query.js";
import { isMissingTable, SCHEMA_VERSION_SQL, schemaVersion } from "../db/migrate.js";

export type JobRunStatus = "running" | "ok" | "error" | "skipped";

export interface JobRun {
  id: string;
  job: string;
  startedAt: number;
  finishedAt: number | null;
  status: JobRunStatus;
  durationMs: number | null;
  summary: unknown;
  error: string | null;
}

export const ABANDONED_RUN_ERROR = "did not record its end: the process died or lost its database mid-run";

/**
 * Records a run's start. The caller holds the job's lease, so any other run of the job still
 * marked running died without recording its end (killed, timed out, or its database went
 * away): it is closed as an error here, so a failure that could not be written when it
 * happened is still recorded, by the next run.
 */
export async function recordRunStart(db: Db, run: { id: string; job: string; startedAt: number }): Promise<void> {
  await db.batch(
    [
      {
        sql: "UPDATE job_runs SET status = 'error', finished_at = ?, error = ? WHERE job = ? AND status = 'running' AND id != ?",
        args: [run.startedAt, ABANDONED_RUN_ERROR, run.job, run.id],
      },
      { sql: "INSERT INTO job_runs (id, job, started_at, status) VALUES (?, ?, ?, 'running')", args: [run.id, run.job, run.startedAt] },
    ],
    "write",
  );
}

export async function recordRunEnd(
  db: Db,
  id: string,
  end: { status: "ok" | "error"; finishedAt: number; durationMs: number; summary?: unknown; error?: string },
): Promise<void> {
  await db.execute({
    sql: "UPDATE job_runs SET status = ?, finished_at = ?, duration_ms = ?, summary = ?, error = ? WHERE id = ?",
    args: [end.status, end.finishedAt, end.durationMs, JSON.stringify(end.summary ?? null), end.error ?? null, id],
  });
}

export async function recordSkippedRun(db: Db, run: { id: string; job: string; at: number; reason: string }): Promise<void> {
  await db.execute({
    sql: `INSERT INTO job_runs (id, job, started_at, finished_at, status, duration_ms, summary)
          VALUES (?, ?, ?, ?, 'skipped', 0, ?)`,
    args: [run.id, run.job, run.at, run.at, JSON.stringify({ skipped: run.reason })],
  });
}

export async function latestRuns(db: Db, job: string, limit: number): Promise<JobRun[]> {
  const rs = await db.execute({
    sql: "SELECT * FROM job_runs WHERE job = ? ORDER BY started_at DESC LIMIT ?",
    args: [job, limit],
  });
  return rs.rows.map(toJobRun);
}

export async function lastRunWithStatus(db: Db, job: string, status: JobRunStatus): Promise<JobRun | undefined> {
  const rs = await db.execute(lastRunWithStatusStmt(job, status));
  return rs.rows[0] ? toJobRun(rs.rows[0]) : undefined;
}

/**
 * The schema version and the job's last run with that status, in one round trip: all that
 * /api/health reads. A database that was never migrated reads as version 0 (or its old version).
 */
export async function schemaAndLastRun(db: Db, job: string, status: JobRunStatus): Promise<{ version: number; last: JobRun | undefined }> {
  try {
    const [schema, last] = await db.batch([SCHEMA_VERSION_SQL, lastRunWithStatusStmt(job, status)], "read");
    return { version: Number(schema!.rows[0]?.version ?? 0), last: last!.rows[0] ? toJobRun(last!.rows[0]) : undefined };
  } catch (error) {
    if (!isMissingTable(error)) throw error;
    return { version: await schemaVersion(db), last: undefined };
  }
}

const lastRunWithStatusStmt = (job: string, status: JobRunStatus) => ({
  sql: "SELECT * FROM job_runs WHERE job = ? AND status = ? ORDER BY started_at DESC LIMIT 1",
  args: [job, status],
});

/** The job's latest runs and when Vigil first ran anything, in one read batch. */
export async function latestRunsAndFirstRun(
  db: Db,
  job: string,
  limit: number,
): Promise<{ recent: JobRun[]; firstRunAt: number | undefined }> {
  const [recent, first] = await db.batch(
    [{ sql: "SELECT * FROM job_runs WHERE job = ? ORDER BY started_at DESC LIMIT ?", args: [job, limit] }, FIRST_RUN_SQL],
    "read",
  );
  const at = first!.rows[0]?.first;
  return { recent: recent!.rows.map(toJobRun), firstRunAt: at === null || at === undefined ? undefined : Number(at) };
}

// When Vigil first ran anything: the reference point for a job that has never run.
const FIRST_RUN_SQL = "SELECT MIN(started_at) AS first FROM job_runs";

function toJobRun(row: Record<string, unknown>): JobRun {
  return {
    id: String(row.id),
    job: String(row.job),
    startedAt: Number(row.started_at),
    finishedAt: row.finished_at === null ? null : Number(row.finished_at),
    status: row.status as JobRunStatus,
    durationMs: row.duration_ms === null ? null : Number(row.duration_ms),
    summary: row.summary === null ? null : JSON.parse(String(row.summary)),
    error: row.error === null ? null : String(row.error),
  };
}

/** Job runs started since `since`, by job and status. */
export const jobRunCounts = (since: number): Query<{ job: string; status: string; n: number }[]> => ({
  // Left to itself SQLite walks the whole (job, status, started_at) index to save the sort; today's rows are few.
  statement: {
    sql: "SELECT job, status, COUNT(*) AS n FROM job_runs INDEXED BY job_runs_started WHERE started_at >= ? GROUP BY 1, 2",
    args: [since],
  },
  map: (rs) => rs.rows.map((r) => ({ job: String(r.job), status: String(r.status), n: Number(r.n) })),
});

/** When each job last started a run (one indexed look-up per job through job_runs_job_started). */
export const lastRunPerJob = (jobs: readonly string[]): Query<{ job: string; at: number | null }[]> => ({
  statement: {
    sql: jobs.map(() => "SELECT ? AS job, (SELECT MAX(started_at) FROM job_runs WHERE job = ?) AS at").join(" UNION ALL "),
    args: jobs.flatMap((j) => [j, j]),
  },
  map: (rs) => rs.rows.map((r) => ({ job: String(r.job), at: r.at === null ? null : Number(r.at) })),
});

/** Vigil's own job history, kept RETENTION_DAYS like the raw events. */
export const oldJobRuns = olderThan("job_runs", "started_at");
