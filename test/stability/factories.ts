import type { Db } from "../../src/db/client.js";
import type { SourceSettings } from "../../src/stability/known-sources.js";
import { createEventWriter, type EventWriter } from "../../src/stability/event-writer.js";
import { classifyEvent } from "../../src/stability/bot-event.js";
import { signatureFailureStatements } from "../../src/stability/rollup-catch-up.js";
import { secretsForSource } from "../../src/stability/source-secrets.js";
import type { SignatureFailureReason } from "../../src/stability/signatures.js";
import type { TestClock } from "../helpers/deps.js";

// Rows of webhook_events and the refusal counts, written as the webhook route writes them (the
// same classifier, event writer and statements) but without the route: a test of the report,
// the alerts or the status page does not fail when ingest breaks; test/stability/*.http.test.ts do.

interface World {
  db: Db;
  settings: { webhooks: { sources: SourceSettings } };
  testClock: TestClock;
}

const writers = new WeakMap<Db, EventWriter>();
let seq = 0;

/** One accepted bot event, received at `at` (the clock is set there, as the route's would be). */
export async function storeEvent(w: World, at: number, body: Record<string, unknown>, source = "bot") {
  w.testClock.set(at);
  const writer = writers.get(w.db) ?? writers.set(w.db, createEventWriter(w.db)).get(w.db)!;
  const { event, payload } = classifyEvent(Buffer.from(JSON.stringify({ occurred_at: new Date(at).toISOString(), ...body })));
  await writer.write({
    source,
    dedupeKey: `row_${++seq}`,
    sharedKey: secretsForSource(w.settings.webhooks.sources, source).shared,
    receivedAt: at,
    event,
    payload,
  });
}

/** A healthy exchange: received, processed, answered in `latencyMs`. */
export async function storeExchange(w: World, at: number, latencyMs = 2000) {
  await storeEvent(w, at, { type: "message.received" });
  await storeEvent(w, at + 1000, { type: "message.processed" });
  await storeEvent(w, at + 2000, { type: "response.sent", latency_ms: latencyMs });
}

/** A delivery refused for its signature at `at`, counted as the route counts it (no event row). */
export async function storeSignatureFailure(
  w: Pick<World, "db">,
  source: string,
  at: number,
  reason: SignatureFailureReason = "invalid_signature",
) {
  await w.db.batch(signatureFailureStatements(source, reason, "unknown", at), "write");
}
