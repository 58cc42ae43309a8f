import { createHash } from "node:crypto";
import type { Db } from "../db/client.js";
import { ConflictError, NotFoundError } from "../errors.js";
import { storedArchive } from "./store/archives.js";
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
  const query = storedArchive(sessionId);
  const stored = query.map(await db.execute(query.statement));
  if (!stored) throw new NotFoundError(`No archive for run "${sessionId}" (archived when it finishes; kept ARCHIVE_RETENTION_DAYS)`);
  const { snapshot, sha256 } = stored;
  // A run over RUN_ARCHIVE_MAX_EXECUTIONS is recorded without a snapshot (archive.ts); its hot rows stay.
  if (sha256 === "") throw new ConflictError(`Run "${sessionId}" was not archived: ${String(stored.error)}`);
  if (createHash("sha256").update(snapshot).digest("hex") !== sha256)
    throw new ConflictError(`The archive of run "${sessionId}" does not match its sha256: it is corrupted`);
  const { run, executions } = JSON.parse(snapshot) as { run: Run; executions: Execution[] };
  return { sessionId, sha256, createdAt: stored.createdAt, verifiedAt: stored.verifiedAt, run, executions };
}
