import type { Db } from "../db/client.js";
import type { Conditional } from "../db/guarded-batch.js";

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
