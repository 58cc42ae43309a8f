import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { createDb } from "../../src/db/client.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { startHranaServer } from "../../fakes/hrana-server.js";
import { apiAuth, cronAuth, testClock, testDeps, testEnv } from "../helpers/deps.js";

let t: TestDb;
beforeAll(async () => (t = await createTestDb()));
afterAll(() => t.cleanup());

describe("GET /api/health", () => {
  it("is 503 before any heartbeat, 200 just after one, 503 once it is stale", async () => {
    const deps = testDeps({ db: t.db });
    const app = createApp(deps);

    const before = await app.request("/api/health");
    expect(before.status).toBe(503);
    expect(await before.json()).toMatchObject({ status: "stale", db: "ok", lastHeartbeatAt: null });

    expect((await app.request("/api/cron/heartbeat", { headers: cronAuth })).status).toBe(200);
    deps.testClock.advance(30_000);
    const fresh = await app.request("/api/health");
    expect(fresh.status).toBe(200);
    expect(await fresh.json()).toEqual({
      status: "ok",
      db: "ok",
      lastHeartbeatAt: new Date(deps.clock() - 30_000).toISOString(),
      heartbeatAgeSeconds: 30,
    });

    deps.testClock.advance(4 * 60_000);
    const stale = await app.request("/api/health");
    expect(stale.status).toBe(503);
    const body = await stale.json();
    expect(body.heartbeatAgeSeconds).toBe(270);
    expect(body.reason).toMatch(/heartbeat/);
  });

  it("is public and shows nothing but liveness (SPEC): no version, no settings", async () => {
    const res = await createApp(testDeps({ db: t.db })).request("/api/health");
    const allowed = ["db", "heartbeatAgeSeconds", "lastHeartbeatAt", "reason", "status"];
    expect(Object.keys(await res.json()).filter((k) => !allowed.includes(k))).toEqual([]);
  });

  it("is 503 when the database does not answer", async () => {
    // A real client pointed at a port nobody listens on.
    const down = createDb({ url: "http://127.0.0.1:9" });
    const res = await createApp(testDeps({ db: down })).request("/api/health");
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: "down", db: "unreachable" });
    down.close();
  });

  it("answers other routes 503 (not 500) when the database is unreachable", async () => {
    const down = createDb({ url: "http://127.0.0.1:9" });
    const res = await createApp(testDeps({ db: down })).request("/api/cron/heartbeat", { headers: cronAuth });
    expect(res.status).toBe(503);
    expect((await res.json()).error.code).toBe("unavailable");
    down.close();
  });
});

describe("GET /api/health and /api/jobs follow the real schedule (HEARTBEAT_SCHEDULE etc.)", () => {
  const beatAt = async (app: ReturnType<typeof createApp>, paths: string[]) => {
    for (const path of paths) expect((await app.request(path, { headers: cronAuth })).status, path).toBe(200);
  };
  const missed = async (app: ReturnType<typeof createApp>) =>
    ((await (await app.request("/api/jobs", { headers: apiAuth })).json()).jobs as { job: string; missed: boolean }[])
      .filter((j) => j.missed)
      .map((j) => j.job);

  it("an external scheduler every 5 minutes (Hobby): healthy, nothing missed, for two hours", async () => {
    const test = await createTestDb();
    const clock = testClock(Date.UTC(2026, 10, 23, 0, 0, 20));
    const env = testEnv({ CRON_SCHEDULER: "external", HEARTBEAT_SCHEDULE: "*/5 * * * *", CHECKPOINT_SCHEDULE: "0 */4 * * *" });
    const app = createApp(testDeps({ db: test.db, env, clock }));
    await beatAt(app, ["/api/cron/checkpoint"]);
    for (let minute = 0; minute < 120; minute += 5) {
      await beatAt(app, ["/api/cron/heartbeat", "/api/cron/monitor"]);
      clock.advance(4 * 60_000 + 50_000);
      const health = await app.request("/api/health");
      expect(health.status, `minute ${minute}: ${JSON.stringify(await health.clone().json())}`).toBe(200);
      expect(await missed(app), `minute ${minute}`).toEqual([]);
      clock.advance(10_000);
    }
    // The same schedule still catches a scheduler that stopped.
    clock.advance(10 * 60_000);
    expect((await app.request("/api/health")).status).toBe(503);
    expect(await missed(app)).toEqual(["heartbeat", "monitor"]);
    test.cleanup();
  });

  it("Vercel's daily crons on Hobby: a day between heartbeats is healthy, two are not", async () => {
    const test = await createTestDb();
    const clock = testClock(Date.UTC(2026, 10, 23, 0, 0, 20));
    const env = testEnv({ HEARTBEAT_SCHEDULE: "0 0 * * *", MONITOR_SCHEDULE: "5 0 * * *", CHECKPOINT_SCHEDULE: "10 0 * * *" });
    const app = createApp(testDeps({ db: test.db, env, clock }));
    await beatAt(app, ["/api/cron/heartbeat", "/api/cron/monitor", "/api/cron/checkpoint"]);
    clock.advance(23 * 3600_000 + 50 * 60_000);
    expect((await app.request("/api/health")).status).toBe(200);
    expect(await missed(app)).toEqual([]);
    clock.advance(26 * 3600_000);
    const stale = await app.request("/api/health");
    expect(stale.status).toBe(503);
    expect((await stale.json()).reason).toContain('"0 0 * * *"');
    test.cleanup();
  });
});

describe("GET /api/health when Turso refuses the token", () => {
  it("says credentials_refused (401 from the server), not that the database does not answer", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vigil-refused-"));
    const server = await startHranaServer({ path: join(dir, "remote.db"), authToken: "the-right-token" });
    const db = createDb({ url: server.url, authToken: "an-expired-token" });
    const deps = testDeps({ db });
    const res = await createApp(deps).request("/api/health");
    expect(res.status).toBe(503);
    const body = await res.json();
    expect(body).toMatchObject({ status: "down", db: "credentials_refused" });
    expect(body.reason).toContain("TURSO_AUTH_TOKEN");
    expect(deps.logs.text()).not.toContain("an-expired-token");
    db.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
});

describe("GET /api/health proves the database takes writes", () => {
  it("answers 503 db: unwritable while reads work but writes cannot get through", async () => {
    const deps = testDeps({ db: createDb({ url: t.url, busyTimeoutMs: 200 }) });
    const app = createApp(deps);
    expect((await app.request("/api/cron/heartbeat", { headers: cronAuth })).status).toBe(200);
    expect(await (await app.request("/api/health")).json()).toMatchObject({ status: "ok", db: "ok" });
    // Another connection holds the write lock: reads (WAL) still work, no write gets through.
    const holder = await t.db.transaction("write");
    try {
      await holder.execute("INSERT INTO health_probe (k, at) VALUES (1, 0) ON CONFLICT (k) DO NOTHING");
      deps.testClock.advance(15_000);
      const res = await app.request("/api/health");
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ status: "down", db: "unwritable" });
    } finally {
      await holder.rollback();
      holder.close();
    }
    deps.testClock.advance(15_000);
    expect((await app.request("/api/health")).status).toBe(200);
    deps.db.close();
  });
});
