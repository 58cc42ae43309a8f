// The one module with SQL for webhook_events: the stored deliveries. Other tables' statements that
// read them (the rollups' counts, the ingest mark, the replay digests) take their SQL fragments from here.
import type { InStatement } from "@libsql/client";
import type { Db } from "../../db/client.js";
import { olderThan, type Query } from "../../db/query.js";
import type { ClassifiedEvent } from "../bot-event.js";
import { boundedMessage, type ErrorGroup, MESSAGE_MAX_CHARS, type SlowReplies } from "../event-details.js";
import { notRemembered, rememberedType } from "../replays.js";

export interface EventRow {
  source: string;
  dedupeKey: string;
  /** The key is unique across sources, not only within this one (deliveries under the shared secret). */
  sharedKey: boolean;
  receivedAt: number;
  event: ClassifiedEvent;
  payload: string | null;
}

const COLUMNS =
  "source, dedupe_key, shared_key, type, received_at, occurred_at, conversation_id, message_id, latency_ms, error_type, payload, release";

/**
 * One statement text whatever the batch size, with the rows as one JSON argument: cheaper than
 * binding twelve values per row (measured in bench/ingest-steps.ts). No conflict target: a key
 * already stored under this source, or a shared key under any, is a duplicate and inserts nothing;
 * so is a body digest remembered past retention (replays.ts), in the same statement.
 */
const INSERT = `INSERT INTO webhook_events (${COLUMNS})
  SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6, value->>7, value->>8, value->>9, value->>10, value->>11
  FROM json_each(?) WHERE ${notRemembered("value->>1")} ON CONFLICT DO NOTHING`;

/** Every new row of a group commit in one statement (a duplicate inserts nothing). */
export const eventsInsert = (rows: EventRow[]): InStatement => ({
  sql: INSERT,
  args: [
    JSON.stringify(
      rows.map((r) => [
        r.source,
        r.dedupeKey,
        r.sharedKey ? 1 : 0,
        r.event.type,
        r.receivedAt,
        r.event.occurredAt,
        r.event.conversationId,
        r.event.messageId,
        r.event.latencyMs,
        r.event.errorType,
        r.payload,
        r.event.release,
      ]),
    ),
  ],
});

/** The source and key of the events with ids in (afterId, lastId]: the rows one insert stored. */
export const eventKeysBetween = (afterId: number, lastId: number): InStatement => ({
  sql: "SELECT source, dedupe_key FROM webhook_events WHERE id > ? AND id <= ?",
  args: [afterId, lastId],
});

/** The type of the delivery stored (or remembered) under this key, or undefined when it is new. */
export async function storedDeliveryType(db: Db, source: string, dedupeKey: string): Promise<string | undefined> {
  const rs = await db.execute({
    // The shared-key row may sit under another source (a key under the shared secret is unique across them).
    sql: `SELECT type FROM webhook_events WHERE source = ? AND dedupe_key = ?
          UNION ALL SELECT type FROM webhook_events WHERE dedupe_key = ? AND shared_key = 1
          UNION ALL ${rememberedType}
          LIMIT 1`,
    args: [source, dedupeKey, dedupeKey, dedupeKey],
  });
  const row = rs.rows[0];
  return row ? String(row.type) : undefined;
}

/** Whether a source has stored events (within retention); uses the (source, dedupe_key) index. */
export async function hasStoredEvents(db: Db, source: string): Promise<boolean> {
  const rs = await db.execute({ sql: "SELECT 1 FROM webhook_events WHERE source = ? LIMIT 1", args: [source] });
  return rs.rows.length > 0;
}

/** Events past retention, `limit` at a time (retention.ts). */
export const oldEvents = olderThan("webhook_events", "received_at");

/** SQL: the body digests (digest, type, seen_at) among the events whose rowids `selectedRowids` selects. */
export const bodyDigestsAmong = (selectedRowids: string) =>
  `SELECT dedupe_key, type, received_at FROM webhook_events WHERE rowid IN (${selectedRowids}) AND dedupe_key LIKE 'sha256:%'`;

/** SQL: the highest event id stored, 0 when none. */
export const LAST_EVENT_ID = "COALESCE((SELECT MAX(id) FROM webhook_events), 0)";

/** SQL: the events with ids above `afterId` (an SQL expression), at most `limit` ids when given. */
export const eventsAbove = (afterId: string, limit?: number) =>
  `SELECT * FROM webhook_events WHERE id > ${afterId}${limit === undefined ? "" : ` AND id <= ${afterId} + ${limit}`}`;

const ERROR_TYPES = "type IN ('error', 'invalid_payload')";

/**
 * Replies over the response-time limit in [from, to): how many, and the slowest. Read only when
 * the rollups show one (event-details.ts).
 */
export const slowReplies = (from: number, to: number, overMs: number): Query<SlowReplies> => ({
  statement: {
    sql: `SELECT n.n AS n, s.latency_ms, s.received_at, s.source, s.conversation_id
          FROM (SELECT COUNT(*) AS n FROM webhook_events WHERE received_at >= ? AND received_at < ? AND type = 'response.sent' AND latency_ms > ?) n
          LEFT JOIN (SELECT latency_ms, received_at, source, conversation_id FROM webhook_events
                     WHERE received_at >= ? AND received_at < ? AND type = 'response.sent' AND latency_ms > ?
                     ORDER BY latency_ms DESC, received_at LIMIT 1) s ON 1`,
    args: [from, to, overMs, from, to, overMs],
  },
  map: (rs) => {
    const r = rs.rows[0]!;
    return {
      count: Number(r.n),
      slowest:
        r.latency_ms === null
          ? null
          : {
              latencyMs: Number(r.latency_ms),
              at: Number(r.received_at),
              source: String(r.source),
              conversationId: r.conversation_id === null ? null : String(r.conversation_id),
            },
    };
  },
});

/** The period's errors by type (of one source, when given), most frequent first (at most 20 types). */
export const errorGroups = (from: number, to: number, source?: string): Query<ErrorGroup[]> => ({
  statement: {
    sql: `SELECT COALESCE(e.error_type, 'unknown') AS type, COUNT(*) AS n, MIN(e.received_at) AS first_at, MAX(e.received_at) AS last_at,
            COUNT(DISTINCT e.conversation_id) AS conversations,
            (SELECT substr(json_extract(m.payload, '$.error.message'), 1, ${MESSAGE_MAX_CHARS + 1}) FROM webhook_events m
             WHERE m.received_at >= ?1 AND m.received_at < ?2 AND m.${ERROR_TYPES} AND COALESCE(m.error_type, 'unknown') = COALESCE(e.error_type, 'unknown')
               AND json_type(m.payload, '$.error.message') = 'text' AND (?3 IS NULL OR m.source = ?3)
             ORDER BY m.received_at DESC, m.id DESC LIMIT 1) AS message
          FROM webhook_events e WHERE e.received_at >= ?1 AND e.received_at < ?2 AND e.${ERROR_TYPES} AND (?3 IS NULL OR e.source = ?3)
          GROUP BY 1 ORDER BY n DESC, last_at DESC LIMIT 20`,
    args: [from, to, source ?? null],
  },
  map: (rs) =>
    rs.rows.map((r) => ({
      type: String(r.type),
      count: Number(r.n),
      firstAt: Number(r.first_at),
      lastAt: Number(r.last_at),
      conversations: Number(r.conversations),
      latestMessage: r.message === null ? null : boundedMessage(String(r.message)),
    })),
});
