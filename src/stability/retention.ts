import type { Db } from "../db/client.js";
import { rememberDigestsOf } from "./replays.js";
import { catchUpRollups, CLAMP_MARK } from "./rollup-catch-up.js";

// Raw rows subject to RETENTION_DAYS, with their time column. Rollups, checkpoints and verdicts stay.
const RAW_TABLES = [
  ["webhook_events", "received_at"],
  ["signature_failures", "received_at"],
  // Imported conversation content: kept only as long as the raw webhook events.
  ["monitored_observations", "start_time"],
  // Vigil's own job history (about 1,700 rows a day).
  ["job_runs", "started_at"],
] as const;

/**
 * Deletes raw rows older than the cutoff in bounded batches, so a large backlog never holds
 * the write lock for long.
 */
export async function deleteOldEvents(db: Db, cutoff: number, options = { batchSize: 5000, maxBatches: 200 }): Promise<number> {
  // An event is counted into the rollups before its row can go.
  await catchUpRollups(db);
  let deleted = 0;
  for (const [table, column] of RAW_TABLES) {
    for (let i = 0; i < options.maxBatches; i++) {
      const selected = `SELECT rowid FROM ${table} WHERE ${column} < ? ORDER BY ${column} LIMIT ?`;
      const remove = { sql: `DELETE FROM ${table} WHERE rowid IN (${selected})`, args: [cutoff, options.batchSize] };
      const rs =
        table === "webhook_events"
          ? (await db.batch([rememberDigestsOf(selected, [cutoff, options.batchSize]), remove, CLAMP_MARK], "write"))[1]!
          : await db.execute(remove);
      deleted += rs.rowsAffected;
      if (rs.rowsAffected < options.batchSize) break;
    }
  }
  return deleted;
}

/**
 * Per-minute counts expire with the raw rows: they drive the per-source alerts, so a source
 * that stopped sending (retired, renamed, or a name someone made up) stops being watched once
 * its last count is older than RETENTION_DAYS. The 15-minute rollups keep the long history.
 */
export async function deleteOldMinuteRollups(db: Db, cutoff: number, options = { batchSize: 5000, maxBatches: 200 }): Promise<number> {
  let deleted = 0;
  for (let i = 0; i < options.maxBatches; i++) {
    const rs = await db.execute({
      // WITHOUT ROWID: batches are chosen by primary key.
      sql: `DELETE FROM webhook_rollups WHERE (minute, source, metric, key) IN
              (SELECT minute, source, metric, key FROM webhook_rollups WHERE minute < ? ORDER BY minute LIMIT ?)`,
      args: [cutoff, options.batchSize],
    });
    deleted += rs.rowsAffected;
    if (rs.rowsAffected < options.batchSize) break;
  }
  return deleted;
}
