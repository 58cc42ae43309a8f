import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, type App } from "../../src/app.js";
import type { Db } from "../../src/db/client.js";
import { handleFinishedRuns } from "../../src/runs/detectors.js";
import { runSettings } from "../../src/runs/settings.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { API_KEY, apiAuth, cronAuth, testDeps } from "../helpers/deps.js";
import { call } from "../helpers/runs.js";

// A unit-level budget: the database calls on each read endpoint's critical path, counted in
// process (calls made in parallel, or together in one batch, share a round trip). What they cost
// over the wire is measured against the Hrana server behind a latency proxy
// (round-trips-over-http.test.ts, bench/round-trips.ts).

interface Meter {
  calls: number;
  depth: number;
  finishedDepth: number;
}

function metered(db: Db, meter: Meter): Db {
  return new Proxy(db, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      if (!["execute", "batch", "executeMultiple", "transaction"].includes(String(prop))) return value.bind(target);
      return (...args: unknown[]) => {
        meter.calls++;
        const depth = meter.finishedDepth + 1;
        meter.depth = Math.max(meter.depth, depth);
        // A macrotask before the call, so calls started together are all in flight at once.
        return new Promise((r) => setImmediate(r))
          .then(() => value.apply(target, args))
          .finally(() => (meter.finishedDepth = Math.max(meter.finishedDepth, depth)));
      };
    },
  });
}

let t: TestDb;
let app: App;
const meter: Meter = { calls: 0, depth: 0, finishedDepth: 0 };

beforeAll(async () => {
  t = await createTestDb();
  const deps = testDeps({ db: metered(t.db, meter) });
  app = createApp(deps);
  const now = deps.clock();
  // A run with executions, and an hour of webhook rollups with errors, signature failures and
  // slow responses, so every "first seen" lookup of the stability report has something to find.
  expect((await call(app, "POST", "/api/runs", { sessionId: "rt-run", taskDescription: "round trips", totalTasks: 2 })).status).toBe(201);
  for (const i of [1, 2]) {
    await call(app, "POST", "/api/executions", {
      agentSessionId: `rt-a${i}`,
      agentName: "coder",
      orchestrationSessionId: "rt-run",
      taskNumber: i,
    });
  }
  const minute = Math.floor((now - 3_600_000) / 60_000) * 60_000;
  const rows = [
    ["delivery", "", 10],
    ["processed", "", 8],
    ["error", "timeout", 2],
    ["signature_failure", "bad_signature", 1],
    ["latency_bucket", "20", 3],
    ["latency_max", "", 9000],
  ] as const;
  for (const [metric, key, value] of rows) {
    await t.db.execute({
      sql: "INSERT INTO webhook_rollups (minute, source, metric, key, value) VALUES (?, 'bot', ?, ?, ?)",
      args: [minute, metric, key, value],
    });
    await t.db.execute({
      sql: "INSERT INTO webhook_rollups_15m (slot, source, metric, key, value) VALUES (?, 'bot', ?, ?, ?)",
      args: [Math.floor(minute / 900_000) * 900_000, metric, key, value],
    });
  }
  expect((await app.request("/api/cron/heartbeat", { headers: cronAuth })).status).toBe(200);
  await app.request("/api/jobs", { headers: apiAuth }); // the instance's one schema check
});

afterAll(() => t.cleanup());

const basic = { authorization: `Basic ${Buffer.from(`ops:${API_KEY}`).toString("base64")}` };

describe("round-trip budget per read request (in process)", () => {
  it.each(
    (
      [
        // One read, and the write probe (at most every 10 s per instance).
        ["/api/health", {}, 2],
        ["/status", basic, 2],
        ["/api/stability/report?hours=24", apiAuth, 2],
        ["/api/stability/checkpoints", apiAuth, 1],
        ["/api/stats/health?hours=24", apiAuth, 1],
        ["/api/stats/performance", apiAuth, 1],
        ["/api/failures", apiAuth, 1],
        ["/api/runs", apiAuth, 1],
        ["/api/runs/rt-run", apiAuth, 1],
        ["/api/runs/rt-run/executions", apiAuth, 1],
        ["/api/runs/rt-run/report", apiAuth, 2],
        ["/api/agents/coder", apiAuth, 1],
        ["/api/export?session=rt-run", apiAuth, 2],
        ["/api/monitoring/summary?hours=24", apiAuth, 1],
        ["/api/monitoring/results", apiAuth, 1],
        ["/api/alerts", apiAuth, 1],
        ["/api/silences", apiAuth, 1],
        ["/api/jobs", apiAuth, 1],
        ["/api/metrics", apiAuth, 1],
      ] as const
    ).map(([path, headers, most]) => ({ path, headers, most })) as { path: string; headers: Record<string, string>; most: number }[],
  )("$path: at most $most round trips", async ({ path, headers, most }) => {
    Object.assign(meter, { calls: 0, depth: 0, finishedDepth: 0 });
    const res = await app.request(path, { headers });
    const body = await res.text();
    expect(res.status, body.slice(0, 300)).toBe(200);
    expect(meter.depth, `${path}: ${meter.depth} sequential round trips (${meter.calls} calls)`).toBeLessThanOrEqual(most);
  });
});

describe("round-trip budget per heartbeat (in process)", () => {
  it("archives a backlog of finished runs in the round trips of one run, not of each in turn", async () => {
    const deps = testDeps({ db: metered(t.db, meter) });
    const runs = ["bk-1", "bk-2", "bk-3", "bk-4", "bk-5", "bk-6"];
    for (const sessionId of runs) {
      await call(app, "POST", "/api/runs", { sessionId, taskDescription: "backlog", totalTasks: 1 });
      await call(app, "POST", `/api/runs/${sessionId}/complete`, { status: "completed", completedTasks: 1, failedTasks: 0 });
    }
    Object.assign(meter, { calls: 0, depth: 0, finishedDepth: 0 });
    expect(await handleFinishedRuns(deps, deps.clock(), runSettings(deps.env))).toEqual({ archived: runs.length, archiveFailures: 0 });
    // One read of the backlog, then the 7 calls of a run: 6 runs one after another took 43.
    expect(meter.depth, `${meter.depth} sequential round trips (${meter.calls} calls)`).toBeLessThanOrEqual(8);
    const stored = await t.db.execute("SELECT COUNT(*) AS n FROM run_archives WHERE session_id LIKE 'bk-%' AND status = 'verified'");
    expect(Number(stored.rows[0]!.n)).toBe(runs.length);
  });
});
