import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, type App } from "../../src/app.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { API_KEY, apiAuth, cronAuth, testDeps, testEnv } from "../helpers/deps.js";
import { startDistantDb, type DistantDb } from "../helpers/distant-db.js";
import { call } from "../helpers/runs.js";
import { botEvent, signedRequest, WEBHOOK_SECRET } from "../helpers/webhooks.js";

// The app's @libsql/client in remote mode, against the Hrana server over real HTTP through a
// proxy adding 20 ms per round trip: what each read endpoint costs on the wire, counted by the
// proxy (HTTP requests, sequential round trips) and by the server (statements needing write
// permission). Each endpoint is called once to warm the client's connections, then measured.

const RTT_MS = 20;
let t: TestDb;
let distant: DistantDb;
let readOnly: DistantDb;
let app: App;
let readOnlyApp: App;
let local: App;

beforeAll(async () => {
  t = await createTestDb();
  const env = testEnv({ WEBHOOK_SECRET });
  const localDeps = testDeps({ db: t.db, env });
  localDeps.testClock.set(Date.now()); // signed webhooks carry the real time
  local = createApp(localDeps);
  const now = localDeps.clock();
  expect((await call(local, "POST", "/api/runs", { sessionId: "wire-run", taskDescription: "wire", totalTasks: 2 })).status).toBe(201);
  for (const i of [1, 2]) {
    await call(local, "POST", "/api/executions", {
      agentSessionId: `wire-a${i}`,
      agentName: "coder",
      orchestrationSessionId: "wire-run",
      taskNumber: i,
    });
  }
  const minute = Math.floor((now - 3_600_000) / 60_000) * 60_000;
  for (const [metric, key, value] of [
    ["delivery", "", 10],
    ["error", "timeout", 2],
    ["signature_failure", "bad_signature", 1],
    ["latency_bucket", "20", 3],
  ] as const) {
    for (const [table, slot] of [
      ["webhook_rollups (minute", minute],
      ["webhook_rollups_15m (slot", Math.floor(minute / 900_000) * 900_000],
    ] as const)
      await t.db.execute({
        sql: `INSERT INTO ${table}, source, metric, key, value) VALUES (?, 'bot', ?, ?, ?)`,
        args: [slot, metric, key, value],
      });
  }
  expect((await local.request("/api/cron/heartbeat", { headers: cronAuth })).status).toBe(200);

  const path = join(t.dir, "vigil.db");
  distant = await startDistantDb(path, RTT_MS);
  readOnly = await startDistantDb(path, RTT_MS, { readOnly: true });
  const distantDeps = testDeps({ db: distant.db, env });
  distantDeps.testClock.set(now);
  app = createApp(distantDeps);
  const readOnlyDeps = testDeps({ db: readOnly.db, env });
  readOnlyDeps.testClock.set(now);
  readOnlyApp = createApp(readOnlyDeps);
});

afterAll(async () => {
  await distant?.close();
  await readOnly?.close();
  t.cleanup();
});

const basic = { authorization: `Basic ${Buffer.from(`ops:${API_KEY}`).toString("base64")}` };
const PAGES: [string, Record<string, string>][] = [
  ["/status", basic],
  ["/status?range=7d", basic],
  ["/api/stability/report?hours=24", apiAuth],
  ["/api/stability/checkpoints", apiAuth],
  ["/api/stats/health?hours=24", apiAuth],
  ["/api/stats/performance", apiAuth],
  ["/api/failures", apiAuth],
  ["/api/runs", apiAuth],
  ["/api/runs/wire-run", apiAuth],
  ["/api/runs/wire-run/executions", apiAuth],
  ["/api/runs/wire-run/report", apiAuth],
  ["/api/agents/coder", apiAuth],
  ["/api/export?session=wire-run", apiAuth],
  ["/api/monitoring/summary?hours=24", apiAuth],
  ["/api/monitoring/results", apiAuth],
  ["/api/alerts", apiAuth],
  ["/api/silences", apiAuth],
  ["/api/jobs", apiAuth],
];

describe("a page view over HTTP at 20 ms RTT", () => {
  it.each(PAGES.map(([path, headers]) => ({ path, headers })))(
    "$path: at most 2 round trips, no write statement",
    async ({ path, headers }) => {
      await (await app.request(path, { headers })).arrayBuffer();
      distant.reset();
      const res = await app.request(path, { headers });
      const body = await res.text();
      expect(res.status, body.slice(0, 300)).toBe(200);
      // A connection the pool had to reopen adds its handshake, which is no request of the page's.
      const { requests, roundTrips, connections } = distant.proxy;
      expect(
        roundTrips - connections,
        `${path}: ${roundTrips} round trips (${requests} requests, ${connections} new connections)`,
      ).toBeLessThanOrEqual(2);
      expect(distant.hrana.writes, `${path} wrote`).toEqual([]);
    },
  );
});

describe("reads that only read", () => {
  it("every page answers with a read-only token (as a read replica would serve it)", async () => {
    for (const [path, headers] of PAGES) {
      const res = await readOnlyApp.request(path, { headers });
      expect(res.status, `${path}: ${(await res.text()).slice(0, 300)}`).toBe(200);
    }
  });

  it("events acknowledged a moment ago are in the report read through the read-only token, nothing lost", async () => {
    const totals = async () => (await (await readOnlyApp.request("/api/stability/report?hours=1", { headers: apiAuth })).json()).totals;
    const before = await totals();
    const sent = await Promise.all(
      Array.from({ length: 7 }, () => local.request("/api/webhooks/bot", signedRequest(botEvent("message.received")))),
    );
    for (const res of sent) expect(res.status).toBe(200);
    expect(await totals()).toMatchObject({ deliveries: before.deliveries + 7, signaturePassed: before.signaturePassed + 7 });
  });
});
