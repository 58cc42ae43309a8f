import type { Db } from "../db/client.js";
import { verifyArchive } from "./archive.js";
import { oldArchiveDeletes } from "./store/archives.js";
import { runDeletion, runsFinishedBefore } from "./store/runs.js";

/**
 * Deletes finished runs older than the cutoff, with their executions, but only those whose
 * archive verifies again now: a missing, corrupted or stale archive blocks the deletion.
 */
export async function deleteOldRuns(
  db: Db,
  cutoff: number,
  now: number,
  limit = 1000,
): Promise<{ deleted: number; blocked: { sessionId: string; reason: string }[] }> {
  let deleted = 0;
  const blocked: { sessionId: string; reason: string }[] = [];
  for (const { id, sessionId } of await runsFinishedBefore(db, cutoff, limit)) {
    const check = await verifyArchive(db, sessionId, now);
    if (!check.ok) {
      blocked.push({ sessionId, reason: check.reason });
      continue;
    }
    await db.batch(runDeletion(id), "write");
    deleted++;
  }
  return { deleted, blocked };
}

/**
 * Archives (and the reports written beside them) older than the cutoff whose run is gone: the
 * archive of a run still kept hot is what its own deletion will verify against.
 */
export async function deleteOldArchives(db: Db, cutoff: number): Promise<number> {
  const [archives] = await db.batch(oldArchiveDeletes(cutoff), "write");
  return archives!.rowsAffected;
}
