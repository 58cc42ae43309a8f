// The one module with SQL for `events`: the detectors' records and the API's custom events.
import type { InStatement } from "@libsql/client";
import type { Db } from "../db/client.js";
import type { Conditional } from "../db/guarded-batch.js";
import type { Query } from "../db/query.js";

/** What the detectors record in `events` (not a webhook event: those are stability/events.ts). */
export const DOMAIN_EVENT_TYPES = ["run_completed", "run_failed", "run_stalled", "step_failure", "archival_failure"] as const;
export type DomainEventType = (typeof DOMAIN_EVENT_TYPES)[number];

export interface NewEvent {
  type: DomainEventType;
  subject: string;
  /** One event per key, ever: overlapping heartbeats or retried requests cannot emit it twice. */
  dedupeKey: string;
  payload: Record<string, unknown>;
  at: number;
}

/**
 * The insert for an event, conditional so that a state transition and its event commit together
 * or not at all (see guarded-batch.ts). The dedupe key makes a second emission a no-op.
 */
export function eventInsert(e: NewEvent): Conditional {
  return (when) => ({
    sql: `INSERT INTO events (type, subject, dedupe_key, payload, created_at)
          SELECT ?, ?, ?, ?, ? WHERE ${when}
          ON CONFLICT (dedupe_key) DO NOTHING`,
    args: [e.type, e.subject, e.dedupeKey, JSON.stringify(e.payload), e.at],
  });
}

/**
 * Events older than the cutoff. Their dedupe keys go with them: every emission is also guarded by
 * the state change it belongs to, and a team's event id is a retry key, not a key for all time.
 */
export async function deleteOldEventLog(db: Db, cutoff: number): Promise<number> {
  return (await db.execute({ sql: "DELETE FROM events WHERE created_at < ?", args: [cutoff] })).rowsAffected;
}

/** Events of one type since `since`, oldest first. */
export const eventsSince = (type: DomainEventType, since: number): Query<{ subject: string; payload: Record<string, unknown> }[]> => ({
  statement: { sql: "SELECT subject, payload FROM events WHERE type = ? AND created_at >= ? ORDER BY created_at", args: [type, since] },
  map: (rs) => rs.rows.map((r) => ({ subject: String(r.subject), payload: JSON.parse(String(r.payload)) as Record<string, unknown> })),
});

/** Events of one type since `since`, counted per `step`-wide slot. */
export const eventsPerSlot = (type: DomainEventType, since: number, step: number): Query<{ slot: number; n: number }[]> => ({
  statement: {
    sql: `SELECT (created_at / ${step}) * ${step} AS slot, COUNT(*) AS n FROM events WHERE type = ? AND created_at >= ? GROUP BY 1`,
    args: [type, since],
  },
  map: (rs) => rs.rows.map((r) => ({ slot: Number(r.slot), n: Number(r.n) })),
});

/** Per type among `types` since `since`: how many, and the subject and time of the newest; the most recent type first. */
export const eventCountsByType = (
  types: readonly string[],
  since: number,
): Query<{ type: string; n: number; subject: string; message: string | null; last: number }[]> => ({
  statement: {
    // The bare subject and payload are the ones of MAX(created_at) (SQLite's min/max bare-column rule).
    sql: `SELECT type, COUNT(*) AS n, subject, json_extract(payload, '$.message') AS message, MAX(created_at) AS last FROM events
          WHERE type IN (SELECT value FROM json_each(?)) AND created_at >= ? GROUP BY type ORDER BY last DESC`,
    args: [JSON.stringify(types), since],
  },
  map: (rs) =>
    rs.rows.map((r) => ({
      type: String(r.type),
      n: Number(r.n),
      subject: String(r.subject),
      message: r.message === null ? null : String(r.message),
      last: Number(r.last),
    })),
});

/**
 * A custom event under its key, and the event stored under that key (this one, or an earlier
 * one with the same key): for one write batch. The insert returns the id only when it inserted.
 */
export const customEventStatements = (e: {
  type: string;
  subject: string;
  key: string;
  payload: string;
  at: number;
}): [InStatement, InStatement] => [
  {
    sql: `INSERT INTO events (type, subject, dedupe_key, payload, created_at) VALUES (?, ?, ?, ?, ?)
          ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
    args: [e.type, e.subject, e.key, e.payload, e.at],
  },
  { sql: "SELECT * FROM events WHERE dedupe_key = ?", args: [e.key] },
];

/** The event log newest first, of one type when given, below id `before`: one more than `limit`, to tell whether a page follows. */
export const eventsPage = (type: string | undefined, before: number | undefined, limit: number): InStatement => ({
  sql: "SELECT * FROM events WHERE (? IS NULL OR type = ?) AND (? IS NULL OR id < ?) ORDER BY id DESC LIMIT ?",
  args: [type ?? null, type ?? null, before ?? null, before ?? null, limit + 1],
});
