import { mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDb, prepareLocalDb } from "../src/db/client.js";
import { migrate } from "../src/db/migrate.js";
import { createLogger } from "../src/log.js";
import { botEventSchema, classifyEvent } from "../src/stability/events.js";
import { createEventWriter, type EventRow } from "../src/stability/event-writer.js";
import { CATCH_UP_STATEMENTS } from "../src/stability/rollup-catch-up.js";
import { signStandardWebhook, verifySignature } from "../src/stability/signatures.js";

// `npx tsx bench/ingest-steps.ts`: CPU µs per webhook of each step of the webhook route that
// issue 17 changed, old way against new, in one process (process.cpuUsage(), so the disk's fsync
// wait is not counted). Run it pinned (`taskset -c 0`) for steadier figures.
const cpuMicros = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
async function measure(name: string, n: number, step: (i: number) => unknown): Promise<[string, number]> {
  for (let i = 0; i < Math.min(n, 500); i++) await step(i);
  const start = cpuMicros();
  for (let i = 0; i < n; i++) await step(i);
  return [name, (cpuMicros() - start) / n];
}

const body = (i: number) =>
  new TextEncoder().encode(JSON.stringify({ type: "response.sent", occurred_at: new Date().toISOString(), latency_ms: 900 + (i % 500) }));
const results: [string, number][] = [];

// Parsing and checking a bot event: the schema alone, or the hand check in front of it.
const raw = body(1);
results.push(
  await measure("classify: decode, parse, re-serialise, zod schema (old)", 20_000, () => {
    const json: unknown = JSON.parse(new TextDecoder().decode(raw));
    JSON.stringify(json);
    return botEventSchema.parse(json);
  }),
);
results.push(await measure("classify: classifyEvent, hand check first (new)", 20_000, () => classifyEvent(raw)));

// Log lines: two per webhook (access + "webhook received") against one wide event.
// Written to /dev/null as stdout would be: one write per line is part of a line's cost.
const devNull = openSync("/dev/null", "w");
const sink = (line: string) => void writeSync(devNull, `${line}\n`);
const log = createLogger({ sink });
const fields = {
  route: "/api/webhooks/:source",
  method: "POST",
  path: "/api/webhooks/bench",
  status: 200,
  duration_ms: 3,
  request_id: "2f1c0b4e-8f7e-4a51-9a55-0c0e7d1e1f00",
};
const routeFields = {
  source: "bench",
  type: "response.sent",
  webhook_id: "msg_123",
  duplicate: false,
  scheme: "standard-webhooks",
  latency_ms: 900,
  error_type: null,
};
const webhook = {
  type: "response.sent",
  webhook_id: "msg_123",
  scheme: "standard-webhooks",
  latency_ms: 900,
  error_type: null,
  duplicate: false,
};
// Each twice, alternating, so neither gains from running second.
for (let round = 0; round < 2; round++) {
  results.push(
    await measure("log: access line + child logger + 'webhook received'", 50_000, () => {
      log.child({ route: fields.route, source: "bench" }).info("webhook received", webhook);
      log.info("request", fields);
    }),
  );
  // Built as src/http/access-log.ts builds it: its own fields, then the route's spread in. (An
  // object that starts by spreading another costs V8 about three times as much to log.)
  results.push(
    await measure("log: one wide access line", 50_000, () =>
      log.info("request", {
        route: fields.route,
        method: "POST",
        path: fields.path,
        status: 200,
        duration_ms: 3,
        request_id: fields.request_id,
        ...routeFields,
      }),
    ),
  );
}

// The signature (Standard Webhooks HMAC-SHA256).
const secret = `whsec_${Buffer.from("bench-ingest-signing-secret-0123456789").toString("base64")}`;
const signed = { id: "msg_1", ts: Math.floor(Date.now() / 1000) };
const sig = signStandardWebhook(secret, signed.id, signed.ts, raw);
const headers: Record<string, string> = { "webhook-id": signed.id, "webhook-timestamp": String(signed.ts), "webhook-signature": sig };
results.push(
  await measure("verify signature", 20_000, () =>
    verifySignature({ secrets: [secret], headers: (h) => headers[h], body: raw, nowSeconds: signed.ts, toleranceSeconds: 300 }),
  ),
);

// The commit, per event, at a group-commit batch of 16: four statements (mark, insert, two
// rollup upserts) against one insert, plus the catch-up later that the new way pays.
const dir = mkdtempSync(join(tmpdir(), "vigil-steps-"));
try {
  const url = `file:${join(dir, "steps.db")}`;
  const db = createDb({ url });
  await prepareLocalDb(db, url);
  await migrate(db);
  const writer = createEventWriter(db);
  const BATCH = 16;
  let seq = 0;
  const row = (): EventRow => ({
    source: "bench",
    dedupeKey: `k${++seq}`,
    sharedKey: false,
    receivedAt: Date.now(),
    event: {
      type: "response.sent",
      occurredAt: Date.now(),
      conversationId: null,
      messageId: null,
      latencyMs: 900 + (seq % 500),
      errorType: null,
    },
    payload: '{"type":"response.sent"}',
  });
  const insert = (rows: EventRow[]) => ({
    sql: `INSERT INTO webhook_events (source, dedupe_key, shared_key, type, received_at, occurred_at, conversation_id, message_id, latency_ms, error_type, payload)
          VALUES ${rows.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").join(", ")} ON CONFLICT DO NOTHING RETURNING source, dedupe_key`,
    args: rows.flatMap((r) => [
      r.source,
      r.dedupeKey,
      0,
      r.event.type,
      r.receivedAt,
      r.event.occurredAt,
      null,
      null,
      r.event.latencyMs,
      null,
      r.payload,
    ]),
  });
  const mark =
    "INSERT INTO ingest_mark (k, last_id) VALUES (0, (SELECT COALESCE(MAX(id), 0) FROM webhook_events)) ON CONFLICT (k) DO UPDATE SET last_id = excluded.last_id";
  // The old commit's rollup statements are the catch-up's, counted from the mark set just before.
  const [minute, quarter] = CATCH_UP_STATEMENTS;
  const batches = 300;
  const [oldName, oldPerBatch] = await measure("commit: mark + insert + 2 rollup upserts (old)", batches, () =>
    db.batch([mark, insert(Array.from({ length: BATCH }, row)), minute!, quarter!], "write"),
  );
  results.push([oldName, oldPerBatch / BATCH]);
  await db.batch(CATCH_UP_STATEMENTS, "write");
  const [midName, midPerBatch] = await measure("commit: one multi-row VALUES insert … RETURNING", batches, () =>
    db.execute(insert(Array.from({ length: BATCH }, row))),
  );
  results.push([midName, midPerBatch / BATCH]);
  const [newName, newPerBatch] = await measure("commit: one insert of a JSON argument, no RETURNING (new)", batches, () =>
    Promise.all(Array.from({ length: BATCH }, () => writer.write(row()))),
  );
  results.push([newName, newPerBatch / BATCH]);
  const before = cpuMicros();
  await db.batch(CATCH_UP_STATEMENTS, "write");
  results.push(["catch-up of those events, once, per event", (cpuMicros() - before) / ((2 * batches + 1000) * BATCH)]);
  db.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

for (const [name, us] of results) process.stdout.write(`${us.toFixed(1).padStart(8)} µs  ${name}\n`);
