import type { InStatement } from "@libsql/client";
import type { Db } from "../db/client.js";
import type { Increment } from "./rollup-counts.js";
import type { SignatureFailureReason } from "./signatures.js";
import { advanceMark, MARK_PROGRESS } from "./store/ingest-mark.js";
import { minuteCatchUp, minuteIncrements } from "./store/webhook-rollups.js";
import { quarterCatchUp, quarterIncrements } from "./store/webhook-rollups-15m.js";

/**
 * The one writer of webhook_rollups, webhook_rollups_15m and ingest_mark, through their stores
 * (store/). Rollups are kept off the webhook's request path: a webhook commits only its row in
 * webhook_events, and the counts are caught up from `ingest_mark` (the highest event id already
 * counted) by the heartbeat and by the event writer every so many events, so an event costs
 * Turso about one row written instead of one plus ~10 upserts. Readers never write: each read of
 * the rollups adds the events above the mark, counted the same way (rollup-counts.ts), so no
 * reader sees stale counts and a GET works with a read-only token or a read replica.
 */

// Events counted per transaction, so a long backlog never holds the write lock for long.
const CHUNK = 20_000;

/**
 * One catch-up step, for a write batch: both rollup tables count the same ids above the old
 * mark, then the mark moves past them, guarded by that old value. A write batch runs under
 * BEGIN IMMEDIATE (the write lock is held from its first statement), so the mark read by the
 * counting statements is still the mark when it is advanced: two concurrent catch-ups serialise
 * and the second finds nothing left to count. The last statement tells whether more remain.
 */
export const CATCH_UP_STATEMENTS: InStatement[] = [minuteCatchUp(CHUNK), quarterCatchUp(CHUNK), advanceMark(CHUNK), MARK_PROGRESS];

/** Counts every event stored so far into the rollups; returns how many rollup rows it wrote. */
export async function catchUpRollups(db: Db): Promise<number> {
  let written = 0;
  for (;;) {
    const results = await db.batch(CATCH_UP_STATEMENTS, "write");
    written += results[0]!.rowsAffected + results[1]!.rowsAffected;
    const row = results[3]!.rows[0]!;
    if (Number(row.mark) >= Number(row.max_id)) return written;
  }
}

/** A refused request is counted, never stored: two upserts into rows its minute already has, whatever the rate. */
export function signatureFailureStatements(source: string, reason: SignatureFailureReason, address: string, at: number): InStatement[] {
  const increments: Increment[] = [
    ["signature_failure", reason, 1],
    ["refused_from", address, 1],
  ];
  return [minuteIncrements(at, source, increments), quarterIncrements(at, source, increments)];
}
