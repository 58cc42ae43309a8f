import { createHash } from "node:crypto";
import type { Db } from "../db/client.js";
import { ConflictError, NotFoundError } from "../errors.js";
import type { Execution, Run } from "./types.js";

export interface RunArchive {
  sessionId: string;
  sha256: string;
  createdAt: number;
  verifiedAt: number | null;
  /** What the run and its executions were when it was archived. */
  run: Run;
  executions: Execution[];
}

/**
 * A finished run's archive as it was written (archive.ts), read back only when it still matches
 * its sha256: the hot rows may be gone (run retention), so the archive is the record, and a
 * corrupted one is refused rather than served as if it were.
 */
export async function readRunArchive(db: Db, sessionId: string): Promise<RunArchive> {
  const rs = await db.execute({
    sql: "SELECT snapshot, sha256, created_at, verified_at, error FROM run_archives WHERE session_id = ?",
    args: [sessionId],
  });
  const row = rs.rows[0];
  if (!row) throw new NotFoundError(`No archive for run "${sessionId}" (archived when it finishes; kept ARCHIVE_RETENTION_DAYS)`);
  const snapshot = String(row.snapshot);
  const sha256 = String(row.sha256);
  // A run over RUN_ARCHIVE_MAX_EXECUTIONS is recorded without a snapshot (archive.ts); its hot rows stay.
  if (sha256 === "") throw new ConflictError(`Run "${sessionId}" was not archived: ${String(row.error)}`);
  if (createHash("sha256").update(snapshot).digest("hex") !== sha256)
    throw new ConflictError(`The archive of run "${sessionId}" does not match its sha256: it is corrupted`);
  const { run, executions } = JSON.parse(snapshot) as { run: Run; executions: Execution[] };
  return {
    sessionId,
    sha256,
    createdAt: Number(row.created_at),
    verifiedAt: row.verified_at === null ? null : Number(row.verified_at),
    run,
    executions,
  };
}

/**
 * Archives (and the reports written beside them) older than the cutoff whose run is gone: the
 * archive of a run still kept hot is what its own deletion will verify against.
 */
export async function deleteOldArchives(db: Db, cutoff: number): Promise<number> {
  const gone = "NOT EXISTS (SELECT 1 FROM orchestrations o WHERE o.session_id = t.session_id)";
  const [archives] = await db.batch(
    [
      { sql: `DELETE FROM run_archives AS t WHERE created_at < ? AND ${gone}`, args: [cutoff] },
      { sql: `DELETE FROM run_reports AS t WHERE created_at < ? AND ${gone}`, args: [cutoff] },
    ],
    "write",
  );
  return archives!.rowsAffected;
}

/** The report written when the run finished (JSON), if it was. */
export async function storedRunReport(db: Db, sessionId: string): Promise<string | undefined> {
  const rs = await db.execute({ sql: "SELECT report FROM run_reports WHERE session_id = ?", args: [sessionId] });
  return rs.rows[0] ? String(rs.rows[0].report) : undefined;
}
