import type { InStatement } from "@libsql/client";
import type { ClassifiedEvent } from "./events.js";
import { latencyBucket } from "./latency.js";
import type { SignatureFailureReason } from "./signatures.js";

const MINUTE_MS = 60_000;
export const minuteOf = (ms: number) => Math.floor(ms / MINUTE_MS) * MINUTE_MS;

/** A per-minute, per-source counter. `latency_max` keeps a maximum; everything else sums. */
export type Increment = [metric: string, key: string, value: number];

/** What one stored event adds to its minute. */
export function incrementsFor(event: ClassifiedEvent): Increment[] {
  const inc: Increment[] = [["accepted", "", 1], ["event", event.type, 1]];
  switch (event.type) {
    case "message.received":
    case "delivery":
      inc.push(["delivery", "", 1]);
      break;
    case "invalid_payload":
      inc.push(["delivery", "", 1], ["error", "invalid_payload", 1]);
      break;
    case "message.processed":
      inc.push(["processed", "", 1]);
      break;
    case "response.sent":
      inc.push(["response", "", 1]);
      if (event.latencyMs !== null) {
        inc.push(["latency_sum", "", event.latencyMs], ["latency_bucket", String(latencyBucket(event.latencyMs)), 1], [
          "latency_max",
          "",
          event.latencyMs,
        ]);
      }
      break;
    case "signature.failed":
      inc.push(["signature_failure", "reported_by_bot", 1]);
      break;
    case "error":
      inc.push(["error", event.errorType ?? "unknown", 1]);
      break;
  }
  return inc;
}

/**
 * One upsert for all of an event's increments. With `guarded`, it only counts when the
 * statement just before it inserted a row (SQLite's changes()), so a duplicate event
 * that hit ON CONFLICT DO NOTHING adds nothing, inside the same batch.
 */
export function rollupUpsert(minute: number, source: string, increments: Increment[], guarded: boolean): InStatement {
  const rows = increments.map(() => "(?, ?, ?, ?, ?)").join(", ");
  return {
    sql: `INSERT INTO webhook_rollups (minute, source, metric, key, value)
          SELECT column1, column2, column3, column4, column5 FROM (VALUES ${rows}) WHERE ${guarded ? "changes() = 1" : "1"}
          ON CONFLICT (minute, source, metric, key) DO UPDATE SET value =
            CASE WHEN metric = 'latency_max' THEN max(value, excluded.value) ELSE value + excluded.value END`,
    args: increments.flatMap(([metric, key, value]) => [minute, source, metric, key, value]),
  };
}

export function eventStatements(input: {
  source: string;
  dedupeKey: string;
  receivedAt: number;
  event: ClassifiedEvent;
  payload: string | null;
}): InStatement[] {
  const { event } = input;
  return [
    {
      sql: `INSERT INTO webhook_events (source, dedupe_key, type, received_at, occurred_at, conversation_id, message_id,
              latency_ms, error_type, payload)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (source, dedupe_key) DO NOTHING RETURNING id`,
      args: [
        input.source,
        input.dedupeKey,
        event.type,
        input.receivedAt,
        event.occurredAt,
        event.conversationId,
        event.messageId,
        event.latencyMs,
        event.errorType,
        input.payload,
      ],
    },
    rollupUpsert(minuteOf(input.receivedAt), input.source, incrementsFor(event), true),
  ];
}

export function signatureFailureStatements(source: string, reason: SignatureFailureReason, at: number): InStatement[] {
  return [
    { sql: "INSERT INTO signature_failures (source, reason, received_at) VALUES (?, ?, ?)", args: [source, reason, at] },
    rollupUpsert(minuteOf(at), source, [["signature_failure", reason, 1]], false),
  ];
}
