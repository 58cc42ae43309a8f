import type { InStatement } from "@libsql/client";
import type { Db } from "../db/client.js";
import { createGroupCommit } from "../db/group-commit.js";
import type { ClassifiedEvent } from "./events.js";
import { LATENCY_BOUNDS } from "./latency.js";

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
  /** Resolves once the event and its rollup counts are committed; `duplicate` when its key was stored before. */
  write(row: EventRow): Promise<{ duplicate: boolean }>;
}

const COLUMNS = 11;
// SQLite allows 32,766 bound variables per statement.
const MAX_ROWS = Math.floor(32_000 / COLUMNS);

const bucketCase = `CASE ${LATENCY_BOUNDS.map((b, i) => `WHEN latency_ms <= ${b} THEN '${i}'`).join(" ")} ELSE '${LATENCY_BOUNDS.length}' END`;

/**
 * Rollups of the rows this batch inserted (id above the mark), computed in SQL, into the
 * per-minute and the 15-minute tables: a duplicate that hit ON CONFLICT DO NOTHING inserted no
 * row and so counts for nothing.
 */
function rollupSql(table: "webhook_rollups" | "webhook_rollups_15m"): string {
  const [slotColumn, width] = table === "webhook_rollups" ? ["minute", 60_000] : ["slot", 900_000];
  const at = `(received_at / ${width}) * ${width}`;
  return `
WITH new AS (SELECT * FROM webhook_events WHERE id > (SELECT last_id FROM ingest_mark WHERE k = 0)),
inc (at, source, metric, key, v) AS (
  SELECT ${at}, source, 'accepted', '', 1 FROM new
  UNION ALL SELECT ${at}, source, 'event', type, 1 FROM new
  UNION ALL SELECT ${at}, source, 'delivery', '', 1 FROM new WHERE type IN ('message.received', 'delivery', 'invalid_payload')
  UNION ALL SELECT ${at}, source, 'error', COALESCE(error_type, 'unknown'), 1 FROM new WHERE type IN ('error', 'invalid_payload')
  UNION ALL SELECT ${at}, source, 'processed', '', 1 FROM new WHERE type = 'message.processed'
  UNION ALL SELECT ${at}, source, 'response', '', 1 FROM new WHERE type = 'response.sent'
  UNION ALL SELECT ${at}, source, 'signature_failure', 'reported_by_bot', 1 FROM new WHERE type = 'signature.failed'
  UNION ALL SELECT ${at}, source, 'latency_sum', '', latency_ms FROM new WHERE type = 'response.sent' AND latency_ms IS NOT NULL
  UNION ALL SELECT ${at}, source, 'latency_max', '', latency_ms FROM new WHERE type = 'response.sent' AND latency_ms IS NOT NULL
  UNION ALL SELECT ${at}, source, 'latency_bucket', ${bucketCase}, 1 FROM new WHERE type = 'response.sent' AND latency_ms IS NOT NULL
)
INSERT INTO ${table} (${slotColumn}, source, metric, key, value)
SELECT at, source, metric, key, CASE WHEN metric = 'latency_max' THEN MAX(v) ELSE SUM(v) END FROM inc WHERE 1
GROUP BY at, source, metric, key
ON CONFLICT (${slotColumn}, source, metric, key) DO UPDATE SET value =
  CASE WHEN metric = 'latency_max' THEN max(value, excluded.value) ELSE value + excluded.value END`;
}
const ROLLUP_MINUTE = rollupSql("webhook_rollups");
const ROLLUP_QUARTER = rollupSql("webhook_rollups_15m");

function batchStatements(rows: EventRow[]): InStatement[] {
  const values = rows.map(() => `(${Array(COLUMNS).fill("?").join(", ")})`).join(", ");
  return [
    { sql: "INSERT INTO ingest_mark (k, last_id) VALUES (0, (SELECT COALESCE(MAX(id), 0) FROM webhook_events)) ON CONFLICT (k) DO UPDATE SET last_id = excluded.last_id", args: [] },
    {
      // No conflict target: a key already stored under this source, or a shared key under any, is a duplicate.
      sql: `INSERT INTO webhook_events (source, dedupe_key, shared_key, type, received_at, occurred_at, conversation_id, message_id, latency_ms, error_type, payload)
            VALUES ${values} ON CONFLICT DO NOTHING RETURNING source, dedupe_key`,
      args: rows.flatMap((r) => [r.source, r.dedupeKey, r.sharedKey ? 1 : 0, r.event.type, r.receivedAt, r.event.occurredAt, r.event.conversationId, r.event.messageId, r.event.latencyMs, r.event.errorType, r.payload]),
    },
    ROLLUP_MINUTE,
    ROLLUP_QUARTER,
  ];
}

/**
 * Group commit for webhook events: a whole batch costs four statements in one transaction
 * (one fsync locally, one round trip to Turso) however many events it holds.
 */
export function createEventWriter(db: Db): EventWriter {
  const key = (source: unknown, dedupeKey: unknown) => `${source}\u0000${dedupeKey}`;
  const write = createGroupCommit<EventRow, { duplicate: boolean }>({
    maxWeight: MAX_ROWS,
    async commit(rows) {
      const results = await db.batch(batchStatements(rows), "write");
      const inserted = new Set(results[1]!.rows.map((r) => key(r.source, r.dedupe_key)));
      // The same id twice in one batch: the first is stored, the rest are duplicates.
      return rows.map((r) => ({ duplicate: !inserted.delete(key(r.source, r.dedupeKey)) }));
    },
  });
  return { write };
}
