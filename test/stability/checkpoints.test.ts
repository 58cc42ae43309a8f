import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { closeDueCheckpoints, listCheckpoints } from "../../src/stability/checkpoints.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { cronAuth, testDeps, testEnv } from "../helpers/deps.js";
import { H, M } from "../helpers/stability.js";
import { storeEvent, storeExchange } from "./factories.js";
import { signedRequest, WEBHOOK_SECRET } from "../helpers/webhooks.js";

let t: TestDb;
beforeEach(async () => (t = await createTestDb()));
afterEach(() => t.cleanup());

const day = Date.parse("2026-11-23T00:00:00Z");
const setup = (extra: Record<string, string> = {}) => {
  const deps = testDeps({ db: t.db, env: testEnv({ WEBHOOK_SECRET, ...extra }) });
  return { deps, app: createApp(deps) };
};
const runCheckpoint = async (s: ReturnType<typeof setup>, at: number) => {
  s.deps.testClock.set(at);
  const res = await s.app.request("/api/cron/checkpoint", { headers: cronAuth });
  expect(res.status).toBe(200);
  return res.json();
};

describe("checkpoint windows", () => {
  it("closes aligned windows, catches up after missed runs, and never closes one twice", async () => {
    const s = setup();
    await storeExchange(s.deps, day + 1 * H);
    await storeExchange(s.deps, day + 5 * H);

    const first = await runCheckpoint(s, day + 4 * H + 5 * M);
    expect(first.closed.map((c: { windowStart: string }) => c.windowStart)).toEqual(["2026-11-23T00:00:00.000Z"]);

    // Nothing runs for 12 hours: the next run closes the three windows it missed.
    const later = await runCheckpoint(s, day + 16 * H + 10 * M);
    expect(later.closed.map((c: { windowStart: string }) => c.windowStart)).toEqual([
      "2026-11-23T04:00:00.000Z",
      "2026-11-23T08:00:00.000Z",
      "2026-11-23T12:00:00.000Z",
    ]);
    expect((await runCheckpoint(s, day + 16 * H + 20 * M)).closed).toEqual([]);

    const all = await listCheckpoints(t.db, { limit: 10 });
    expect(all.map((c) => [c.windowStart - day, c.windowEnd - day])).toEqual([
      [12 * H, 16 * H],
      [8 * H, 12 * H],
      [4 * H, 8 * H],
      [0, 4 * H],
    ]);
    const byStart = Object.fromEntries(all.map((c) => [c.windowStart - day, c.metrics]));
    expect(byStart[0]).toMatchObject({ deliveries: 1, processed: 1, responses: 1, successRate: 1 });
    expect(byStart[4 * H]).toMatchObject({ deliveries: 1, processed: 1 });
    expect(byStart[8 * H]).toMatchObject({ deliveries: 0, successRate: null });
  });

  it("inserts each window once when runs overlap (the lease aside)", async () => {
    const s = setup();
    await storeExchange(s.deps, day + 1 * H);
    const now = day + 20 * H + M;
    const results = await Promise.all(Array.from({ length: 5 }, () => closeDueCheckpoints(s.deps, now)));
    const windows = results.flat().map((c) => c.windowStart);
    expect(new Set(windows).size).toBe(windows.length);
    expect((await listCheckpoints(t.db, { limit: 50 })).length).toBe(5);
  });

  it("logs one summary line per closed window", async () => {
    const s = setup();
    await storeExchange(s.deps, day + 1 * H);
    await runCheckpoint(s, day + 12 * H + M);
    const lines = s.deps.logs.records().filter((r) => r.msg === "checkpoint closed");
    expect(lines.map((l) => l.window_start)).toEqual(["2026-11-23T00:00:00.000Z", "2026-11-23T04:00:00.000Z", "2026-11-23T08:00:00.000Z"]);
    // One exchange then three silent hours: the silence makes the window critical.
    expect(lines[0]).toMatchObject({ job: "checkpoint", deliveries: 1, status: "critical", red_flags: ["zero_deliveries"] });
  });
});

describe("red flags per window", () => {
  it("flags signature failures, processing errors and silences with their times", async () => {
    const s = setup({ ZERO_DELIVERY_MINUTES: "60" });
    await storeEvent(s.deps, day + 1 * H, { type: "message.received" });
    await storeEvent(s.deps, day + 3 * H + 30 * M, { type: "message.received" });
    await storeEvent(s.deps, day + 2 * H + 13 * M, { type: "error", error: { type: "llm_timeout" } });
    s.deps.testClock.set(day + 2 * H + 20 * M);
    const forged = signedRequest(
      { type: "message.received" },
      { secret: "whsec_d3Jvbmc=", timestampSeconds: Math.floor((day + 2 * H + 20 * M) / 1000) },
    );
    expect((await s.app.request("/api/webhooks/bot", forged)).status).toBe(401);

    await runCheckpoint(s, day + 8 * H + M);
    const [second, first] = await listCheckpoints(t.db, { limit: 2 });
    expect(first!.status).toBe("critical");
    expect(first!.redFlags.map((f) => [f.kind, f.severity, new Date(f.at).toISOString().slice(11, 16)])).toEqual(
      [
        ["zero_deliveries", "critical", "02:01"],
        ["processing_errors", "critical", "02:13"],
        ["signature_failure", "critical", "02:20"],
        ["error_rate", "warning", "02:13"],
      ].sort((a, b) => a[2]!.localeCompare(b[2]!)),
    );
    // The silence after 03:30 carries into the next window, which had no traffic at all.
    expect(second!.redFlags.map((f) => [f.kind, new Date(f.at).toISOString().slice(11, 16)])).toEqual([
      ["no_traffic", "04:00"],
      ["zero_deliveries", "04:31"],
    ]);
  });

  it("raises no silence flag before the first delivery ever", async () => {
    const s = setup();
    await runCheckpoint(s, day + 12 * H + M);
    const all = await listCheckpoints(t.db, { limit: 10 });
    expect(all.length).toBeGreaterThan(0);
    expect(all.flatMap((c) => c.redFlags).filter((f) => f.kind !== "no_traffic")).toEqual([]);
  });
});

describe("retention", () => {
  it("deletes raw events and per-minute counts past RETENTION_DAYS and keeps 15-minute rollups and checkpoints", async () => {
    const s = setup({ RETENTION_DAYS: "30" });
    await storeExchange(s.deps, day - 31 * 24 * H);
    await storeExchange(s.deps, day - 1 * H);
    await t.db.execute({
      sql: "INSERT INTO monitored_observations (id, session_key, trace_id, start_time, data) VALUES ('old-obs', 's', 't', ?, '{}'), ('new-obs', 's', 't', ?, '{}')",
      args: [day - 31 * 24 * H, day - H],
    });
    await t.db.execute({
      sql: "INSERT INTO job_runs (id, job, started_at, status) VALUES ('old-run', 'heartbeat', ?, 'ok')",
      args: [day - 31 * 24 * H],
    });
    const summary = await runCheckpoint(s, day + 1 * M);
    // 3 old webhook events, 1 old imported observation and 1 old job run.
    expect(summary.retention.deletedEvents).toBe(5);
    const oldRun = await t.db.execute("SELECT id FROM job_runs WHERE id = 'old-run'");
    expect(oldRun.rows).toEqual([]);
    const obs = await t.db.execute("SELECT id FROM monitored_observations");
    expect(obs.rows.map((r) => r.id)).toEqual(["new-obs"]);
    const left = await t.db.execute("SELECT COUNT(*) AS n FROM webhook_events");
    expect(Number(left.rows[0]!.n)).toBe(3);
    // Per-minute counts (which drive per-source alerts) expire with the events; quarter hours stay.
    expect(summary.retention.deletedMinuteRollups).toBeGreaterThan(0);
    const minutes = await t.db.execute({ sql: "SELECT COUNT(*) AS n FROM webhook_rollups WHERE minute < ?", args: [day - 30 * 24 * H] });
    expect(Number(minutes.rows[0]!.n)).toBe(0);
    const quarters = await t.db.execute({ sql: "SELECT COUNT(*) AS n FROM webhook_rollups_15m WHERE slot < ?", args: [day - 30 * 24 * H] });
    expect(Number(quarters.rows[0]!.n)).toBeGreaterThan(0);
    const recent = await t.db.execute({ sql: "SELECT COUNT(*) AS n FROM webhook_rollups WHERE minute >= ?", args: [day - 30 * 24 * H] });
    expect(Number(recent.rows[0]!.n)).toBeGreaterThan(0);
  });
});
