import type { Db } from "../db/client.js";
import { createGroupCommit } from "../db/group-commit.js";
import { catchUpRollups } from "./rollup-catch-up.js";
import { type EventRow, eventKeysBetween, eventsInsert } from "./store/webhook-events.js";

export interface EventWriter {
  /** Resolves once the event is committed; `duplicate` when its key was stored before. */
  write(row: EventRow): Promise<{ duplicate: boolean }>;
}

// SQLite allows 32,766 bound variables per statement: far more than a group commit gathers.
const MAX_ROWS = 2_900;

export interface CatchUpSchedule {
  /** Events stored by this writer between two catch-ups it starts. */
  every: number;
  /** Runs the catch-up after the acks (on Vercel: waitUntil); it must handle the promise's failure. */
  inBackground(work: Promise<unknown>): void;
}

/**
 * Group commit for webhook events: a whole batch is one multi-row INSERT (one fsync locally, one
 * round trip to Turso, one row written per new event) however many events it holds. Rollups
 * are counted later, from the mark (rollup-catch-up.ts): by the heartbeat, and by this writer
 * once it has stored `catchUp.every` events, so the uncounted tail every read adds stays short
 * even where the heartbeat runs once a day.
 */
export function createEventWriter(db: Db, catchUp?: CatchUpSchedule): EventWriter {
  let stored = 0;
  let catchingUp = false;
  const counted = (n: number) => {
    stored += n;
    if (!catchUp || stored < catchUp.every || catchingUp) return;
    stored = 0;
    catchingUp = true;
    catchUp.inBackground(catchUpRollups(db).finally(() => (catchingUp = false)));
  };
  const key = (source: unknown, dedupeKey: unknown) => `${source}\u0000${dedupeKey}`;
  const write = createGroupCommit<EventRow, { duplicate: boolean }>({
    maxWeight: MAX_ROWS,
    async commit(rows) {
      // A single statement commits on its own: no BEGIN/COMMIT round trips around it.
      const result = await db.execute(eventsInsert(rows));
      counted(result.rowsAffected);
      if (result.rowsAffected === rows.length) return rows.map(() => ({ duplicate: false }));
      // Some were duplicates (rare): the rows this statement inserted hold the ids just below
      // its last insert, one after another, so they are read back by that range.
      const last = Number(result.lastInsertRowid ?? 0);
      const stored = result.rowsAffected === 0 ? [] : (await db.execute(eventKeysBetween(last - result.rowsAffected, last))).rows;
      const inserted = new Set(stored.map((r) => key(r.source, r.dedupe_key)));
      // The same id twice in one batch: the first is stored, the rest are duplicates.
      return rows.map((r) => ({ duplicate: !inserted.delete(key(r.source, r.dedupeKey)) }));
    },
  });
  return { write };
}
