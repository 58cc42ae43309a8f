import type { Db } from "../db/client.js";

/**
 * Deletes raw events and signature-failure rows older than the cutoff in bounded batches,
 * so a large backlog never holds the write lock for long. Rollups and checkpoints stay.
 */
export async function deleteOldEvents(db: Db, cutoff: number, options = { batchSize: 5000, maxBatches: 200 }): Promise<number> {
  let deleted = 0;
  for (const table of ["webhook_events", "signature_failures"]) {
    for (let i = 0; i < options.maxBatches; i++) {
      const rs = await db.execute({
        sql: `DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table} WHERE received_at < ? ORDER BY received_at LIMIT ?)`,
        args: [cutoff, options.batchSize],
      });
      deleted += rs.rowsAffected;
      if (rs.rowsAffected < options.batchSize) break;
    }
  }
  return deleted;
}
