import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { Db } from "../db/client.js";
import { ConflictError } from "../errors.js";
import { plainText } from "../security/control-characters.js";
import { decodeCursor, encodeCursor } from "../shared/cursor.js";
import { customEventStatements, DOMAIN_EVENT_TYPES, eventsPage } from "./event-log.js";

// Seed 004's "event emission for downstream automation", the other way round: a team's own
// events (a deploy rolled back, a nightly job failed) recorded in the same log as Vigil's run
// events, where a rule's `event_types` counts them. Not a webhook event (stability/events.ts).

const CUSTOM_KEY = "custom:";

/** What POST /api/events takes. `id` makes a retry a no-op: the same id is the same event. */
export const customEventBody = z.strictObject({
  id: plainText(z.string().trim().min(1).max(200)).optional(),
  type: z
    .string()
    .regex(/^[a-z0-9_.-]{1,100}$/, "lowercase letters, digits, _, . and - (what a rule's event_types names)")
    .refine((t) => !DOMAIN_EVENT_TYPES.includes(t as never), "is one of Vigil's own event types (run_failed, …): choose another name"),
  subject: plainText(z.string().trim().min(1).max(200)),
  message: z.string().max(2000).optional(),
  labels: z
    .record(plainText(z.string().min(1).max(100)), plainText(z.string().max(500)))
    .refine((l) => Object.keys(l).length <= 20, "at most 20 labels")
    .optional(),
});
export type CustomEventInput = z.infer<typeof customEventBody>;

export interface RecordedEvent {
  id: number;
  type: string;
  subject: string;
  message: string | null;
  labels: Record<string, string>;
  /** "api" for a team's own events, "vigil" for the ones Vigil records (run_failed, …). */
  source: "api" | "vigil";
  key: string | null;
  createdAt: number;
}

const toEvent = (r: Record<string, unknown>): RecordedEvent => {
  const payload = JSON.parse(String(r.payload)) as { message?: unknown; labels?: Record<string, string> };
  const dedupe = String(r.dedupe_key);
  const custom = dedupe.startsWith(CUSTOM_KEY);
  return {
    id: Number(r.id),
    type: String(r.type),
    subject: String(r.subject),
    message: typeof payload.message === "string" ? payload.message : null,
    labels: custom ? (payload.labels ?? {}) : {},
    source: custom ? "api" : "vigil",
    key: custom ? dedupe.slice(CUSTOM_KEY.length) : null,
    createdAt: Number(r.created_at),
  };
};

/** Records the event once per id: the same id again answers the stored one, a different event under it is a conflict. */
export async function recordCustomEvent(db: Db, input: CustomEventInput, now: number): Promise<{ event: RecordedEvent; created: boolean }> {
  const key = `${CUSTOM_KEY}${input.id ?? randomUUID()}`;
  const payload = JSON.stringify({ message: input.message ?? null, labels: input.labels ?? {} });
  const [inserted, stored] = await db.batch(
    customEventStatements({ type: input.type, subject: input.subject, key, payload, at: now }),
    "write",
  );
  const event = toEvent(stored!.rows[0]!);
  if (inserted!.rows.length === 1) return { event, created: true };
  const same = event.type === input.type && event.subject === input.subject && payload === storedPayload(event);
  if (!same) throw new ConflictError(`Event "${input.id}" was already recorded with different content`);
  return { event, created: false };
}

const storedPayload = (e: RecordedEvent) => JSON.stringify({ message: e.message, labels: e.labels });

/** The event log, newest first, keyset-paged; a type narrows it. */
export async function listEvents(
  db: Db,
  options: { type?: string; limit: number; cursor?: string },
): Promise<{ events: RecordedEvent[]; nextCursor: string | null }> {
  const after = options.cursor ? decodeCursor(options.cursor) : null;
  // Ids grow with insertion, so the primary key is the time order: no index of its own needed.
  const rs = await db.execute(eventsPage(options.type, after?.[1], options.limit));
  const events = rs.rows.slice(0, options.limit).map((r) => toEvent(r as unknown as Record<string, unknown>));
  const last = events.at(-1);
  return { events, nextCursor: rs.rows.length > options.limit && last ? encodeCursor(last.createdAt, last.id) : null };
}
