import type { InStatement } from "@libsql/client";
import type { Db } from "../db/client.js";
import { createGroupCommit } from "../db/group-commit.js";
import type { ClassifiedEvent } from "./events.js";

export interface EventRow {
  source: string;
  dedupeKey: string;
  /** The key is unique across sources, not only within this one (deliveries under the shared secret). */
  sharedKey: boolean;
  receivedAt: number;
  event: ClassifiedEvent;
  payload: string | null;
}

export interface EventWriter {
  /** Resolves once the event is committed; `duplicate` when its key was stored before. */
  write(row: EventRow): Promise<{ duplicate: boolean }>;
}

const COLUMNS = 11;
// SQLite allows 32,766 bound variables per statement.
const MAX_ROWS = Math.floor(32_000 / COLUMNS);

const PLACEHOLDERS = `(${Array(COLUMNS).fill("?").join(", ")})`;

function insertStatement(rows: EventRow[]): InStatement {
  return {
    // No conflict target: a key already stored under this source, or a shared key under any, is a duplicate.
    sql: `INSERT INTO webhook_events (source, dedupe_key, shared_key, type, received_at, occurred_at, conversation_id, message_id, latency_ms, error_type, payload)
          VALUES ${Array(rows.length).fill(PLACEHOLDERS).join(", ")} ON CONFLICT DO NOTHING RETURNING source, dedupe_key`,
    args: rows.flatMap((r) => [r.source, r.dedupeKey, r.sharedKey ? 1 : 0, r.event.type, r.receivedAt, r.event.occurredAt, r.event.conversationId, r.event.messageId, r.event.latencyMs, r.event.errorType, r.payload]),
  };
}

/**
 * Group commit for webhook events: a whole batch is one multi-row INSERT (one fsync locally, one
 * round trip to Turso, one row written per new event) however many events it holds. Rollups
 * are counted later, from the mark (rollup-catch-up.ts).
 */
export function createEventWriter(db: Db): EventWriter {
  const key = (source: unknown, dedupeKey: unknown) => `${source}\u0000${dedupeKey}`;
  const write = createGroupCommit<EventRow, { duplicate: boolean }>({
    maxWeight: MAX_ROWS,
    async commit(rows) {
      // A single statement commits on its own: no BEGIN/COMMIT round trips around it.
      const result = await db.execute(insertStatement(rows));
      const inserted = new Set(result.rows.map((r) => key(r.source, r.dedupe_key)));
      // The same id twice in one batch: the first is stored, the rest are duplicates.
      return rows.map((r) => ({ duplicate: !inserted.delete(key(r.source, r.dedupeKey)) }));
    },
  });
  return { write };
}
