import type { Db } from "../db/client.js";
import { olderThan, type OldRows } from "../db/query.js";
import { oldJobRuns } from "../job-records/job-runs.js";
import { oldObservations } from "../monitoring/store/sessions.js";
import { rememberDigests } from "./replays.js";
import { catchUpRollups } from "./rollup-catch-up.js";
import { CLAMP_MARK } from "./store/ingest-mark.js";
import { bodyDigestsAmong, oldEvents } from "./store/webhook-events.js";
import { oldMinuteRollups } from "./store/webhook-rollups.js";

// Raw rows subject to RETENTION_DAYS, each table's batches from its owner. Rollups, checkpoints and verdicts stay.
const RAW_ROWS = [
  oldEvents,
  olderThan("signature_failures", "received_at"),
  oldObservations,
  // Vigil's own job history (about 1,700 rows a day).
  oldJobRuns,
];

/**
 * Deletes raw rows older than the cutoff in bounded batches, so a large backlog never holds
 * the write lock for long.
 */
export async function deleteOldEvents(db: Db, cutoff: number, options = { batchSize: 5000, maxBatches: 200 }): Promise<number> {
  // An event is counted into the rollups before its row can go.
  await catchUpRollups(db);
  let deleted = 0;
  for (const rows of RAW_ROWS) {
    for (let i = 0; i < options.maxBatches; i++) {
      const old: OldRows = rows(cutoff, options.batchSize);
      const rs =
        rows === oldEvents
          ? (await db.batch([rememberDigests(bodyDigestsAmong(old.selected), old.args), old.remove, CLAMP_MARK], "write"))[1]!
          : await db.execute(old.remove);
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
    const rs = await db.execute(oldMinuteRollups(cutoff, options.batchSize));
    deleted += rs.rowsAffected;
    if (rs.rowsAffected < options.batchSize) break;
  }
  return deleted;
}
