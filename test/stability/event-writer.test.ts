import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEventWriter } from "../../src/stability/event-writer.js";
import type { EventRow } from "../../src/stability/store/webhook-events.js";
import { createTestDb, type TestDb } from "../helpers/db.js";

let t: TestDb;
beforeAll(async () => (t = await createTestDb()));
afterAll(() => t.cleanup());

const row = (source: string, dedupeKey: string, sharedKey = false): EventRow => ({
  source,
  dedupeKey,
  sharedKey,
  receivedAt: Date.UTC(2026, 10, 23, 12),
  event: {
    type: "response.sent",
    occurredAt: Date.UTC(2026, 10, 23, 12),
    conversationId: 'c\u00e9-"1"',
    messageId: null,
    latencyMs: 1200,
    errorType: null,
    release: null,
  },
  payload: '{"type":"response.sent","note":"\\u2028 and \\"quotes\\""}',
});

describe("the webhook event writer's one-statement commit", () => {
  it("stores each key once and tells every caller whether its event was a duplicate, within and across batches", async () => {
    const writer = createEventWriter(t.db);
    await writer.write(row("a", "old"));
    // Arriving together: one group commit with a repeat inside it and one of an earlier batch.
    const answers = await Promise.all(
      [row("a", "k1"), row("a", "old"), row("a", "k2"), row("a", "k1"), row("b", "k1"), row("c", "s", true), row("d", "s", true)].map((r) =>
        writer.write(r),
      ),
    );
    expect(answers.map((a) => a.duplicate)).toEqual([false, true, false, true, false, false, true]);
    const stored = await t.db.execute(
      "SELECT source, dedupe_key, shared_key, type, latency_ms, conversation_id, payload FROM webhook_events ORDER BY id",
    );
    expect(stored.rows.map((r) => `${r.source}/${r.dedupe_key}`)).toEqual(["a/old", "a/k1", "a/k2", "b/k1", "c/s"]);
    // Values keep their types and text through the JSON argument.
    expect({ ...stored.rows[1] }).toEqual({
      source: "a",
      dedupe_key: "k1",
      shared_key: 0,
      type: "response.sent",
      latency_ms: 1200,
      conversation_id: 'c\u00e9-"1"',
      payload: row("a", "k1").payload,
    });
    expect(typeof stored.rows[1]!.latency_ms).toBe("number");
  });

  it("answers all-duplicate batches without reading anything back", async () => {
    const writer = createEventWriter(t.db);
    const answers = await Promise.all([row("a", "k1"), row("a", "k2")].map((r) => writer.write(r)));
    expect(answers.map((a) => a.duplicate)).toEqual([true, true]);
  });
});
