import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/errors.js";
import { botEventSchema, classifyEvent } from "../../src/stability/bot-event.js";

// classifyEvent checks the common bot event by hand and leaves the rest to the schema:
// for every body, it must answer exactly what the schema alone answers.
const bodies: Record<string, unknown>[] = [];
const times: unknown[] = [
  "2026-11-23T08:00:00Z",
  "2026-11-23T08:00:00.123456789Z",
  "2026-11-23T08:00:00+05:30",
  "2026-11-23T08:00:00-23:59",
  "2024-02-29T00:00:00Z",
  "2023-02-29T00:00:00Z",
  "2026-04-31T00:00:00Z",
  "2026-11-23T24:00:00Z",
  "2026-11-23T08:00Z",
  "1999-12-31T23:59:59Z",
  "2100-01-01T00:00:00Z",
  "2099-12-31T23:59:59.999+00:00",
  "2026-11-23 08:00:00Z",
  "",
  null,
  1700000000000,
  1,
  0,
  -5,
  1.5,
  5e15,
  "1700000000000",
  true,
];
for (const occurred_at of times) bodies.push({ type: "message.received", occurred_at });
const at = "2026-11-23T08:00:00Z";
for (const label of ["c-1", "", "x".repeat(256), "x".repeat(257), "a\u0000b", "tab\there", 7, null])
  bodies.push(
    { type: "message.processed", occurred_at: at, conversation_id: label },
    { type: "message.processed", occurred_at: at, message_id: label },
  );
for (const release of ["2.4.0", "", "r".repeat(100), "r".repeat(101), "1.0\n", "<b>1</b>", 3, null])
  bodies.push({ type: "message.received", occurred_at: at, release });
for (const latency_ms of [0, 1200, 1200.6, 3_600_000, 3_600_001, -1, "5", null])
  bodies.push({ type: "response.sent", occurred_at: at, latency_ms });
for (const error of [
  { type: "llm_timeout" },
  { type: "x", message: "m".repeat(2000) },
  { type: "x", message: "m".repeat(2001) },
  { type: "" },
  { type: "a\u0007" },
  {},
  [],
  null,
  "e",
  { type: "t", message: 5 },
])
  bodies.push({ type: "error", occurred_at: at, error });
bodies.push({ type: "error", occurred_at: at }, { type: "response.sent", occurred_at: at, extra: { deep: [1, 2] } });

function viaSchema(body: Record<string, unknown>) {
  const r = botEventSchema.safeParse(body);
  if (!r.success) return "rejected";
  const e = r.data;
  return {
    type: e.type,
    occurredAt: e.occurred_at,
    conversationId: e.conversation_id ?? null,
    messageId: e.message_id ?? null,
    latencyMs: e.latency_ms === undefined ? null : Math.round(e.latency_ms),
    errorType: e.type === "error" ? (e.error?.type ?? "unknown") : null,
    release: e.release ?? null,
  };
}

function viaClassify(body: Record<string, unknown>) {
  try {
    return classifyEvent(new TextEncoder().encode(JSON.stringify(body))).event;
  } catch (error) {
    if (error instanceof ValidationError) return "rejected";
    throw error;
  }
}

describe("the hand check of bot events", () => {
  it.each(bodies.map((b) => [JSON.stringify(b).slice(0, 120), b] as const))("agrees with the schema: %s", (_, body) => {
    expect(viaClassify(body)).toEqual(viaSchema(body));
  });
});
