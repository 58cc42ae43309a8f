import type { Query } from "../db/query.js";
import type { DomainEventType } from "./event-log.js";

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
