import type { Query } from "../db/query.js";
import { oneLine } from "../security/control-characters.js";

/**
 * What the rollups cannot say: which reply was the slowest and what the bot's errors said. Read
 * from raw events, and only when the rollups show there is something to find (a latency over
 * the limit, an error), so a healthy period never scans them.
 */

export interface SlowReplies {
  /** Replies over the response-time limit. */
  count: number;
  slowest: { latencyMs: number; at: number; source: string; conversationId: string | null } | null;
}

export interface ErrorGroup {
  type: string;
  count: number;
  firstAt: number;
  lastAt: number;
  /** Distinct conversation ids among the errors (errors without one are not counted here). */
  conversations: number;
  /** The newest message the bot sent with this type, on one line and bounded; null when none carried one. */
  latestMessage: string | null;
}

/** Messages are the bot's free text: one line, and short enough for an alert or a table cell. */
const MESSAGE_MAX_CHARS = 300;

const ERROR_TYPES = "type IN ('error', 'invalid_payload')";

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
      latestMessage: r.message === null ? null : bounded(String(r.message)),
    })),
});

const bounded = (text: string) => {
  const line = oneLine(text).trim();
  return line.length > MESSAGE_MAX_CHARS ? `${line.slice(0, MESSAGE_MAX_CHARS - 1)}…` : line;
};

/** "send_failed ×3 in 2 conversation(s), latest: "WhatsApp API 500"": how an alert or a note names one group. */
export const describeErrorGroup = (g: ErrorGroup) =>
  `${g.type} ×${g.count}${g.conversations > 0 ? ` in ${g.conversations} conversation(s)` : ""}${g.latestMessage ? `, latest: "${g.latestMessage}"` : ""}`;
