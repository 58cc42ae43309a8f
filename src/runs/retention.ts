import type { Db } from "../db/client.js";
import { verifyArchive } from "./archive.js";

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
  const rs = await db.execute({
    sql: "SELECT id, session_id FROM orchestrations WHERE status != 'running' AND completed_at < ? ORDER BY completed_at LIMIT ?",
    args: [cutoff, limit],
  });
  let deleted = 0;
  const blocked: { sessionId: string; reason: string }[] = [];
  for (const row of rs.rows) {
    const sessionId = String(row.session_id);
    const check = await verifyArchive(db, sessionId, now);
    if (!check.ok) {
      blocked.push({ sessionId, reason: check.reason });
      continue;
    }
    // Executions explicitly too, rather than trusting every connection's foreign_keys setting.
    await db.batch(
      [
        { sql: "DELETE FROM agent_executions WHERE orchestration_id = ?", args: [Number(row.id)] },
        { sql: "DELETE FROM orchestrations WHERE id = ?", args: [Number(row.id)] },
      ],
      "write",
    );
    deleted++;
  }
  return { deleted, blocked };
}
