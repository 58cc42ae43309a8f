import type { Db } from "../../src/db/client.js";
import type { DomainEventType } from "../../src/event-log/event-log.js";

// What the detectors recorded, newest first: tests read it; the app never lists events.
export interface StoredEvent {
  id: number;
  type: DomainEventType;
  subject: string;
  payload: Record<string, unknown>;
  createdAt: number;
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
  }));
}
