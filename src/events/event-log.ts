import type { Db } from "../db/client.js";
import type { Conditional } from "../db/guarded-batch.js";

/** What the detectors record in `events` (not a webhook event: those are stability/events.ts). */
export type DomainEventType = "run_completed" | "run_failed" | "run_stalled" | "step_failure" | "archival_failure";

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

export interface StoredEvent {
  id: number;
  type: DomainEventType;
  subject: string;
  payload: Record<string, unknown>;
  createdAt: number;
  processedAt: number | null;
}

export async function listEvents(db: Db, options: { type?: DomainEventType; limit: number }): Promise<StoredEvent[]> {
  const rs = await db.execute({
    sql: `SELECT * FROM events WHERE (? IS NULL OR type = ?) ORDER BY created_at DESC, id DESC LIMIT ?`,
    args: [options.type ?? null, options.type ?? null, options.limit],
  });
  return rs.rows.map((r) => ({
    id: Number(r.id),
    type: r.type as DomainEventType,
    subject: String(r.subject),
    payload: JSON.parse(String(r.payload)) as Record<string, unknown>,
    createdAt: Number(r.created_at),
    processedAt: r.processed_at === null ? null : Number(r.processed_at),
  }));
}
