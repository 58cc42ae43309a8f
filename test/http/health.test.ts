import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { createDb } from "../../src/db/client.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { cronAuth, testDeps } from "../helpers/deps.js";

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
