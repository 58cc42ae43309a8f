import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/app.js";
import { createDb } from "../../src/db/client.js";
import { migrate } from "../../src/db/migrate.js";
import { migrations } from "../../src/db/migrations/index.js";
import { readAll } from "../../src/db/query.js";
import { LATENCY_BOUNDS } from "../../src/stability/latency.js";
import { catchUpRollups } from "../../src/stability/rollup-catch-up.js";
import { MINUTE_MS, QUARTER_MS } from "../../src/stability/rollup-metrics.js";
import { periodTotalsBySource, totalsPerSlot } from "../../src/stability/store/webhook-rollups.js";
import { deleteOldEvents } from "../../src/stability/retention.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { apiAuth, testDeps, testEnv } from "../helpers/deps.js";
import { botEvent, signedRequest, WEBHOOK_SECRET } from "../helpers/webhooks.js";

let t: TestDb;
beforeAll(async () => (t = await createTestDb()));
afterAll(() => t.cleanup());
beforeEach(async () => {
  await t.db.batch(
    ["DELETE FROM webhook_events", "DELETE FROM webhook_rollups", "DELETE FROM webhook_rollups_15m", "DELETE FROM ingest_mark"],
    "write",
  );
});

const one = async (sql: string) => Number((await t.db.execute(sql)).rows[0]!.n ?? 0);
const accepted = (table = "webhook_rollups") => one(`SELECT SUM(value) AS n FROM ${table} WHERE metric = 'accepted'`);

function setup() {
  const deps = testDeps({ db: t.db, env: testEnv({ WEBHOOK_SECRET }) });
  deps.testClock.set(Date.now());
  const app = createApp(deps);
  const send = async (n: number) => {
    const answers = await Promise.all(
      Array.from({ length: n }, () => app.request("/api/webhooks/bot", signedRequest(botEvent("message.received")))),
    );
    for (const res of answers) expect(res.status).toBe(200);
  };
  return { deps, app, send };
}

describe("rollups off the request path", () => {
  it("a webhook's commit writes its event row and nothing else", async () => {
    const { send } = setup();
    await send(50);
    expect(await one("SELECT COUNT(*) AS n FROM webhook_events")).toBe(50);
    expect(await one("SELECT COUNT(*) AS n FROM webhook_rollups")).toBe(0);
    expect(await one("SELECT COUNT(*) AS n FROM webhook_rollups_15m")).toBe(0);
  });

  it("a read right after a webhook sees it without writing: the uncounted tail is added, never counted twice", async () => {
    const { app, deps, send } = setup();
    const totals = async () => {
      const report = await app.request("/api/stability/report?hours=1", { headers: apiAuth });
      expect(report.status).toBe(200);
      return (await report.json()).totals;
    };
    await send(1);
    expect(await totals()).toMatchObject({ deliveries: 1, signaturePassed: 1 });
    await send(2);
    expect(await totals()).toMatchObject({ deliveries: 3, signaturePassed: 3 });
    const status = await app.request("/status", {
      headers: { authorization: `Basic ${Buffer.from(`x:${deps.env.VIGIL_API_KEY}`).toString("base64")}` },
    });
    expect(status.status).toBe(200);
    // The reads counted nothing into the rollups: the heartbeat (or the writer) does.
    expect(await accepted()).toBe(0);
    await catchUpRollups(t.db);
    expect(await accepted()).toBe(3);
    // Counted events leave the tail: the same totals, not twice them.
    expect(await totals()).toMatchObject({ deliveries: 3, signaturePassed: 3 });
    await send(2);
    expect(await totals()).toMatchObject({ deliveries: 5, signaturePassed: 5 });
  });

  it("an event counts the same in a read's uncounted tail as once caught up: each latency bucket's edges, releases, errors", async () => {
    const { deps, app } = setup();
    const post = async (type: string, extra: Record<string, unknown>) =>
      expect((await app.request("/api/webhooks/bot", signedRequest(botEvent(type, extra)))).status).toBe(200);
    for (const [i, bound] of LATENCY_BOUNDS.entries())
      for (const latency_ms of [bound - 1, bound, bound + 1])
        await post("response.sent", { latency_ms, ...(i % 2 ? { release: "v2" } : {}) });
    await post("response.sent", { latency_ms: 0, release: "v1" });
    await post("message.received", { release: "v1" });
    await post("error", { release: "v2", error: { type: "llm_timeout" } });
    await post("error", {});
    await post("signature.failed", {});
    const now = deps.clock();
    // Both tables' tails: a period of whole quarters and ragged minutes, and each table by its slot.
    const reads = async () => {
      const [period, minutes, quarters] = await readAll(t.db, [
        periodTotalsBySource(now - 20 * MINUTE_MS, now + 20 * MINUTE_MS),
        totalsPerSlot(now - QUARTER_MS, MINUTE_MS),
        totalsPerSlot(now - QUARTER_MS, QUARTER_MS),
      ]);
      const byKey = <T extends { metric: string; key: string }>(rows: T[]) =>
        [...rows].sort((a, b) => `${a.metric}/${a.key}`.localeCompare(`${b.metric}/${b.key}`));
      return {
        period: byKey(period),
        minutes: [...minutes].map(([at, rows]) => [at, byKey(rows)]),
        quarters: [...quarters].map(([at, rows]) => [at, byKey(rows)]),
      };
    };
    const fromTail = await reads();
    expect(await accepted()).toBe(0);
    expect(new Set(fromTail.period.filter((r) => r.metric === "latency_bucket").map((r) => r.key)).size).toBe(LATENCY_BOUNDS.length + 1);
    expect(fromTail.period.filter((r) => r.metric === "release_latency").length).toBeGreaterThan(LATENCY_BOUNDS.length / 2);
    await catchUpRollups(t.db);
    expect(await accepted()).toBe(3 * LATENCY_BOUNDS.length + 5);
    expect(await reads()).toEqual(fromTail);
  });

  it("the instance that stored ROLLUP_CATCH_UP_EVERY events counts them itself, with no heartbeat", async () => {
    const deps = testDeps({ db: t.db, env: testEnv({ WEBHOOK_SECRET, ROLLUP_CATCH_UP_EVERY: "10" }) });
    deps.testClock.set(Date.now());
    const app = createApp(deps);
    for (let i = 0; i < 9; i++)
      expect((await app.request("/api/webhooks/bot", signedRequest(botEvent("message.received")))).status).toBe(200);
    await new Promise((r) => setTimeout(r, 50));
    expect(await accepted()).toBe(0);
    expect((await app.request("/api/webhooks/bot", signedRequest(botEvent("message.received")))).status).toBe(200);
    await vi.waitFor(async () => expect(await accepted()).toBe(10), { timeout: 5000 });
  });

  it("two concurrent catch-ups, on one connection or two, never count an event twice", async () => {
    const { send } = setup();
    const other = createDb({ url: t.url, busyTimeoutMs: 5000 });
    try {
      for (let round = 1; round <= 5; round++) {
        await send(40);
        const written = await Promise.all([catchUpRollups(t.db), catchUpRollups(other), catchUpRollups(t.db), catchUpRollups(other)]);
        expect(written.some((n) => n > 0)).toBe(true);
        expect(await accepted()).toBe(40 * round);
        expect(await accepted("webhook_rollups_15m")).toBe(40 * round);
      }
      // Caught up: a further catch-up writes nothing.
      expect(await catchUpRollups(other)).toBe(0);
    } finally {
      other.close();
    }
  });

  it("catch-ups racing the webhooks that are being stored count each event exactly once", async () => {
    const { send } = setup();
    const catchUps: Promise<number>[] = [];
    const sending = send(300);
    for (let i = 0; i < 20; i++) {
      catchUps.push(catchUpRollups(t.db));
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all([sending, ...catchUps]);
    await catchUpRollups(t.db);
    expect(await accepted()).toBe(300);
  });

  it("after retention deletes the newest counted events, new events (reusing their ids) are still counted", async () => {
    const { deps, send } = setup();
    await send(5);
    await catchUpRollups(t.db);
    // Everything is older than the cutoff: the table empties and SQLite starts ids again at 1.
    await deleteOldEvents(t.db, deps.clock() + 1);
    expect(await one("SELECT COUNT(*) AS n FROM webhook_events")).toBe(0);
    await send(3);
    await catchUpRollups(t.db);
    expect(await accepted()).toBe(8);
  });

  it("an upgraded database does not count again the events its old write path already counted", async () => {
    const old = await createTestDb({ migrate: false });
    try {
      await migrate(
        old.db,
        migrations.filter((m) => m.id < 14),
      );
      // As the old commit left them: the events, their counts, and row 0 of the mark at the last batch's start.
      await old.db.batch(
        [
          "INSERT INTO webhook_events (source, dedupe_key, type, received_at) VALUES ('bot', 'a', 'delivery', 60000), ('bot', 'b', 'delivery', 60000)",
          "INSERT INTO webhook_rollups (minute, source, metric, key, value) VALUES (60000, 'bot', 'accepted', '', 2)",
          "INSERT INTO ingest_mark (k, last_id) VALUES (0, 1)",
        ],
        "write",
      );
      await migrate(old.db);
      await old.db.execute("INSERT INTO webhook_events (source, dedupe_key, type, received_at) VALUES ('bot', 'c', 'delivery', 60000)");
      await catchUpRollups(old.db);
      expect(Number((await old.db.execute("SELECT SUM(value) AS n FROM webhook_rollups WHERE metric = 'accepted'")).rows[0]!.n)).toBe(3);
    } finally {
      old.cleanup();
    }
  });
});
