// The one module with SQL for run_archives and run_reports: what a finished run leaves behind, a
// snapshot to verify and a summary, written together when it finishes and deleted together once
// the run is gone. Conditions on the runs come from their owner (runs.ts).
import type { InStatement } from "@libsql/client";
import type { Db } from "../../db/client.js";
import type { Query } from "../../db/query.js";
import type { Run } from "../types.js";
import { finishedRunsWhere, runGone } from "./runs.js";

/** Finished runs without an archive yet, oldest first, with their execution counts. */
export const unarchivedRuns = (db: Db, limit: number) =>
  finishedRunsWhere(db, "NOT EXISTS (SELECT 1 FROM run_archives a WHERE a.session_id = o.session_id)", limit);

/** Records a run too large to archive: its archive failed, with why. */
export async function recordUnarchivable(db: Db, sessionId: string, executions: number, reason: string, now: number): Promise<void> {
  await db.execute({
    sql: `INSERT INTO run_archives (session_id, snapshot, sha256, executions, status, created_at, error)
          VALUES (?, '', '', ?, 'failed', ?, ?) ON CONFLICT (session_id) DO NOTHING`,
    args: [sessionId, executions, now, reason],
  });
}

/** A finished run's report and its archive, for one write batch; a second writer changes neither. */
export const reportAndArchiveInserts = (
  run: Run,
  report: string,
  archive: { snapshot: string; sha256: string; executions: number },
  now: number,
): InStatement[] => [
  {
    sql: "INSERT INTO run_reports (session_id, report, created_at) VALUES (?, ?, ?) ON CONFLICT (session_id) DO NOTHING",
    args: [run.sessionId, report, now],
  },
  {
    sql: `INSERT INTO run_archives (session_id, snapshot, sha256, executions, status, created_at)
          VALUES (?, ?, ?, ?, 'verified', ?) ON CONFLICT (session_id) DO NOTHING`,
    args: [run.sessionId, archive.snapshot, archive.sha256, archive.executions, now],
  },
];

export interface StoredArchive {
  snapshot: string;
  sha256: string;
  /** How many executions the snapshot holds. */
  executions: number;
  createdAt: number;
  verifiedAt: number | null;
  error: string | null;
}

/** A run's archive as stored, if there is one (sha256 is empty for a run that could not be archived). */
export const storedArchive = (sessionId: string): Query<StoredArchive | undefined> => ({
  statement: {
    sql: "SELECT snapshot, sha256, executions, created_at, verified_at, error FROM run_archives WHERE session_id = ?",
    args: [sessionId],
  },
  map: (rs) => {
    const row = rs.rows[0];
    if (!row) return undefined;
    return {
      snapshot: String(row.snapshot),
      sha256: String(row.sha256),
      executions: Number(row.executions),
      createdAt: Number(row.created_at),
      verifiedAt: row.verified_at === null ? null : Number(row.verified_at),
      error: row.error === null ? null : String(row.error),
    };
  },
});

/** The outcome of an archive's verification, on its row. */
export const verificationUpdate = (sessionId: string, failure: string | null, now: number): InStatement => ({
  sql: "UPDATE run_archives SET status = ?, verified_at = ?, error = ? WHERE session_id = ?",
  args: [failure === null ? "verified" : "failed", now, failure, sessionId],
});

/** The report written when the run finished (JSON), if it was. */
export async function storedRunReport(db: Db, sessionId: string): Promise<string | undefined> {
  const rs = await db.execute({ sql: "SELECT report FROM run_reports WHERE session_id = ?", args: [sessionId] });
  return rs.rows[0] ? String(rs.rows[0].report) : undefined;
}

/** Deletes archives and the reports written beside them older than the cutoff whose run is gone, for one write batch. */
export const oldArchiveDeletes = (cutoff: number): InStatement[] => [
  { sql: `DELETE FROM run_archives AS t WHERE created_at < ? AND ${runGone("t")}`, args: [cutoff] },
  { sql: `DELETE FROM run_reports AS t WHERE created_at < ? AND ${runGone("t")}`, args: [cutoff] },
];
