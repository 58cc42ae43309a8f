import { createHash } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { createDb } from "../../src/db/client.js";
import type { RateLimiter } from "../../src/integrations/rate-limiter.js";
import { catchUpRollups } from "../../src/stability/rollup-catch-up.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { testDeps, testEnv } from "../helpers/deps.js";
import { botEvent, hexSignedRequest, signedRequest, WEBHOOK_SECRET } from "../helpers/webhooks.js";

let t: TestDb;
beforeAll(async () => (t = await createTestDb()));
afterAll(() => t.cleanup());
beforeEach(async () => {
  await t.db.batch(
    ["DELETE FROM webhook_events", "DELETE FROM webhook_rollups", "DELETE FROM signature_failures", "DELETE FROM ingest_mark"],
    "write",
  );
});

const GH_SECRET = "github-app-webhook-secret-0123456789";
const env = (extra: Record<string, string | undefined> = {}) => testEnv({ WEBHOOK_SECRET, WEBHOOK_MAX_BYTES: "4096", ...extra });
// Like every reader of rollups, count only after catching them up from the stored events.
const count = async (sql: string) => {
  await catchUpRollups(t.db);
  return Number((await t.db.execute(sql)).rows[0]?.n);
};
const realClock = () => {
  const deps = testDeps({ db: t.db, env: env() });
  deps.testClock.set(Date.now());
  return deps;
};

describe("POST /api/webhooks/:source", () => {
  it("stores a signed event, then answers 200", async () => {
    const app = createApp(realClock());
    const res = await app.request(
      "/api/webhooks/whatsapp-bot",
      signedRequest(botEvent("message.received", { conversation_id: "c-1" }), { id: "msg_1" }),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: true, id: "msg_1", type: "message.received", duplicate: false });
    const rows = (await t.db.execute("SELECT source, dedupe_key, type, conversation_id FROM webhook_events")).rows;
    expect(rows.map((r) => ({ ...r }))).toEqual([
      { source: "whatsapp-bot", dedupe_key: "msg_1", type: "message.received", conversation_id: "c-1" },
    ]);
  });

  it("acknowledges a repeated webhook-id as a duplicate and stores and counts it once", async () => {
    const app = createApp(realClock());
    const body = botEvent("response.sent", { latency_ms: 1200 });
    const first = await app.request("/api/webhooks/bot", signedRequest(body, { id: "msg_dup" }));
    const again = await app.request("/api/webhooks/bot", signedRequest(body, { id: "msg_dup" }));
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ duplicate: true });
    expect(await count("SELECT COUNT(*) AS n FROM webhook_events")).toBe(1);
    expect(await count("SELECT SUM(value) AS n FROM webhook_rollups WHERE metric = 'response'")).toBe(1);
  });

  it("logs one line per accepted webhook: the access line carries its type, id and duplicate flag", async () => {
    const deps = realClock();
    const app = createApp(deps);
    const body = botEvent("response.sent", { latency_ms: 640 });
    await app.request("/api/webhooks/bot", signedRequest(body, { id: "msg_wide" }));
    await app.request("/api/webhooks/bot", signedRequest(body, { id: "msg_wide" }));
    const lines = deps.logs.records();
    expect(lines.map((r) => r.msg)).toEqual(["request", "request"]);
    expect(lines[0]).toMatchObject({
      route: "/api/webhooks/:source",
      status: 200,
      source: "bot",
      type: "response.sent",
      webhook_id: "msg_wide",
      duplicate: false,
      latency_ms: 640,
    });
    expect(lines[0]!.duration_ms).toEqual(expect.any(Number));
    expect(lines[1]).toMatchObject({ webhook_id: "msg_wide", duplicate: true });
    expect(deps.logs.text()).not.toContain("occurred_at");
  });

  it("stores other signed JSON as a plain delivery", async () => {
    const app = createApp(realClock());
    const res = await app.request("/api/webhooks/meta", signedRequest({ object: "whatsapp_business_account", entry: [] }));
    expect(await res.json()).toMatchObject({ type: "delivery" });
  });

  it("accepts the hex X-Signature-256 scheme with a per-source secret, deduplicating by the signed body", async () => {
    const deps = testDeps({ db: t.db, env: env({ WEBHOOK_SECRET_GITHUB_APP: GH_SECRET }) });
    const app = createApp(deps);
    const req = hexSignedRequest({ action: "opened" }, GH_SECRET, { "x-github-delivery": "d-1" });
    const hash = `sha256:${createHash("sha256").update(req.body).digest("hex")}`;
    expect((await app.request("/api/webhooks/github-app", req)).status).toBe(200);
    expect(await (await app.request("/api/webhooks/github-app", req)).json()).toMatchObject({ id: hash, duplicate: true });
    // The per-source secret replaces the shared one for that source.
    expect((await app.request("/api/webhooks/github-app", signedRequest({ a: 1 }))).status).toBe(401);
  });

  it("401s a bad signature and counts the failure without storing the body", async () => {
    const deps = realClock();
    const app = createApp(deps);
    const req = signedRequest({ secret: "card 4242" }, { secret: `whsec_${Buffer.from("wrong-secret-wrong").toString("base64")}` });
    const res = await app.request("/api/webhooks/bot", req);
    expect(res.status).toBe(401);
    expect((await res.json()).error.message).toContain("invalid_signature");
    expect(await count("SELECT COUNT(*) AS n FROM webhook_events")).toBe(0);
    const failures = (await t.db.execute("SELECT source, key AS reason, value FROM webhook_rollups WHERE metric = 'signature_failure'"))
      .rows;
    // "bot" is neither declared nor has it ever delivered: its failures join the one aggregate.
    expect(failures.map((r) => ({ ...r }))).toEqual([{ source: "(undeclared)", reason: "invalid_signature", value: 1 }]);
    // Counted, not stored: a refused request writes no row of its own.
    expect(await count("SELECT COUNT(*) AS n FROM signature_failures")).toBe(0);
    expect(JSON.stringify(await t.db.execute("SELECT * FROM webhook_rollups"))).not.toContain("4242");
    expect(deps.logs.records().some((r) => r.msg === "signature failed" && r.reason === "invalid_signature")).toBe(true);
  });

  it("refuses a replayed request once its timestamp is outside the tolerance", async () => {
    const deps = realClock();
    const app = createApp(deps);
    // 301 s before the clock the server reads: a second reading of the real clock could fall in the
    // next second and make it 300 s old, which is inside the tolerance.
    const old = signedRequest(botEvent("message.received"), { timestampSeconds: Math.floor(deps.clock() / 1000) - 301 });
    const res = await app.request("/api/webhooks/bot", old);
    expect(res.status).toBe(401);
    expect((await res.json()).error.message).toContain("timestamp_too_old");
  });

  it("401s every request for a source with no secret configured", async () => {
    const app = createApp(testDeps({ db: t.db, env: testEnv({}) }));
    const res = await app.request("/api/webhooks/bot", signedRequest(botEvent("message.received")));
    expect(res.status).toBe(401);
    expect((await res.json()).error.message).toContain("no_secret");
  });

  it("400s a body that is not JSON, counted as a delivery with error type invalid_payload", async () => {
    const app = createApp(realClock());
    const res = await app.request("/api/webhooks/bot", signedRequest("{not json"));
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe("validation_error");
    expect(await count("SELECT value AS n FROM webhook_rollups WHERE metric = 'error' AND key = 'invalid_payload'")).toBe(1);
    expect(await count("SELECT value AS n FROM webhook_rollups WHERE metric = 'delivery'")).toBe(1);
  });

  it("400s a bot event with a bad field, naming it", async () => {
    const app = createApp(realClock());
    const res = await app.request(
      "/api/webhooks/bot",
      signedRequest({ type: "response.sent", occurred_at: "2026-11-23T10:00:00Z", latency_ms: "fast" }),
    );
    expect(res.status).toBe(400);
    expect((await res.json()).error.problems[0].field).toBe("latency_ms");
  });

  it("413s a body over the webhook size limit", async () => {
    const app = createApp(realClock());
    const res = await app.request("/api/webhooks/bot", signedRequest({ blob: "x".repeat(5000) }));
    expect(res.status).toBe(413);
    expect(await count("SELECT COUNT(*) AS n FROM webhook_events")).toBe(0);
  });

  it("429s with Retry-After when the limiter refuses a verified delivery's source, before storing it", async () => {
    const keys: string[] = [];
    const refusing: RateLimiter = { limit: async (key) => (keys.push(key), { allowed: false, retryAfterSeconds: 17 }) };
    const deps = testDeps({ db: t.db, env: env(), webhookRateLimiter: refusing });
    deps.testClock.set(Date.now());
    const res = await createApp(deps).request("/api/webhooks/bot", signedRequest(botEvent("message.received")));
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("17");
    // Only the verified delivery drew on the source's budget; nothing was stored.
    expect(keys).toEqual(["source:bot"]);
    expect(await count("SELECT COUNT(*) AS n FROM webhook_events")).toBe(0);
  });

  it("404s a source name that cannot be one", async () => {
    const app = createApp(realClock());
    expect((await app.request("/api/webhooks/..%2Fetc", signedRequest({}))).status).toBe(404);
    expect((await app.request(`/api/webhooks/${"a".repeat(65)}`, signedRequest({}))).status).toBe(404);
  });

  it("needs no API key (the signature is the credential)", async () => {
    const app = createApp(realClock());
    const res = await app.request("/api/webhooks/bot", signedRequest(botEvent("message.received")));
    expect(res.status).toBe(200);
    const withWrongKey = signedRequest(botEvent("message.received"));
    withWrongKey.headers.authorization = "Bearer not-the-api-key-at-all";
    expect((await app.request("/api/webhooks/bot", withWrongKey)).status).toBe(200);
  });
});

describe("never a 2xx without storing", () => {
  it("answers 503 when the database is unreachable", async () => {
    const down = createDb({ url: "http://127.0.0.1:9" });
    const deps = testDeps({ db: down, env: env() });
    deps.testClock.set(Date.now());
    const app = createApp(deps);
    const res = await app.request("/api/webhooks/bot", signedRequest(botEvent("message.received")));
    expect(res.status).toBe(503);
    down.close();
  });

  it("answers 503 when the database stays locked past the busy timeout, then stores the retry", async () => {
    const busyDb = createDb({ url: t.url, busyTimeoutMs: 50 });
    const deps = testDeps({ db: busyDb, env: env() });
    deps.testClock.set(Date.now());
    const app = createApp(deps);
    await app.request("/api/health"); // schema checked once while unlocked

    const locker = createDb({ url: t.url });
    const tx = await locker.transaction("write");
    await tx.execute("INSERT INTO signature_failures (source, reason, received_at) VALUES ('lock', 'holding', 0)");
    const req = signedRequest(botEvent("message.received"), { id: "msg_locked" });
    const res = await app.request("/api/webhooks/bot", req);
    expect(res.status).toBe(503);
    await tx.rollback();
    locker.close();

    const retry = await app.request("/api/webhooks/bot", signedRequest(botEvent("message.received"), { id: "msg_locked" }));
    expect(retry.status).toBe(200);
    expect(await retry.json()).toMatchObject({ duplicate: false });
    busyDb.close();
  });

  it("stores every one of 3000 concurrent signed events it acknowledged", async () => {
    const deps = realClock();
    const app = createApp(deps);
    const sent = Array.from({ length: 3000 }, (_, i) => ({
      id: `msg_c${i}`,
      body: botEvent(i % 3 === 0 ? "response.sent" : "message.received", { latency_ms: i % 3 === 0 ? i : undefined }),
    }));
    const responses = await Promise.all(sent.map((s) => app.request("/api/webhooks/load", signedRequest(s.body, { id: s.id }))));
    const acknowledged = sent.filter((_, i) => responses[i]!.status === 200).map((s) => s.id);
    expect(acknowledged).toHaveLength(3000);
    const stored = new Set(
      (await t.db.execute("SELECT dedupe_key FROM webhook_events WHERE source = 'load'")).rows.map((r) => String(r.dedupe_key)),
    );
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    expect(await count("SELECT SUM(value) AS n FROM webhook_rollups WHERE source = 'load' AND metric = 'accepted'")).toBe(3000);
  });
});
