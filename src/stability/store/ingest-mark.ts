// The one module with SQL for ingest_mark: the highest webhook event id already counted into the
// rollups (rollup-catch-up.ts moves it; every rollup read adds the events above it).
import type { InStatement } from "@libsql/client";
import { LAST_EVENT_ID } from "./webhook-events.js";

// Row 0 was the old write path's per-batch mark: a function still running the old code during a
// deploy keeps rewriting it, so the catch-up keeps its own row.
const MARK = 1;

/** SQL: the highest event id counted so far, 0 before the first catch-up. */
export const COUNTED_UP_TO = `COALESCE((SELECT last_id FROM ingest_mark WHERE k = ${MARK}), 0)`;

/**
 * Moves the mark past the next `chunk` ids (no further than the last event), guarded by the value
 * the batch's counting statements read, so a catch-up that lost the race moves nothing.
 */
export const advanceMark = (chunk: number): InStatement => `INSERT INTO ingest_mark (k, last_id)
   SELECT ${MARK}, max(lo.id, min(lo.id + ${chunk}, ${LAST_EVENT_ID})) FROM (SELECT ${COUNTED_UP_TO} AS id) lo WHERE 1
   ON CONFLICT (k) DO UPDATE SET last_id = excluded.last_id WHERE last_id = (SELECT ${COUNTED_UP_TO}) AND excluded.last_id > last_id`;

/** The mark and the last event id: the catch-up is done when they meet. */
export const MARK_PROGRESS: InStatement = `SELECT ${COUNTED_UP_TO} AS mark, ${LAST_EVENT_ID} AS max_id`;

/**
 * After raw events are deleted: if the newest counted event went, SQLite would hand its id (and
 * others at or below the mark) to new events, which the mark would then skip. Every remaining
 * event at or below the mark is counted, so lowering the mark to the highest remaining id is
 * exact. Run in the same batch as the delete.
 */
export const CLAMP_MARK: InStatement = `UPDATE ingest_mark SET last_id = ${LAST_EVENT_ID}
  WHERE k = ${MARK} AND last_id > ${LAST_EVENT_ID}`;
