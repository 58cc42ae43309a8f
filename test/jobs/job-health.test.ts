import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { missedFires } from "../../src/job-records/job-health.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { API_KEY, apiAuth, cronAuth, testDeps, testEnv } from "../helpers/deps.js";

let t: TestDb;
beforeAll(async () => (t = await createTestDb()));
afterAll(() => t.cleanup());
beforeEach(async () => {
  await t.db.batch(["DELETE FROM job_runs", "DELETE FROM job_leases"], "write");
});

const MIN = 60_000;
const base = Date.parse("2026-11-23T12:00:00Z");

describe("missedFires", () => {
  it("allows a late cron its grace, flags two missed intervals", () => {
    expect(missedFires("* * * * *", base, base + 1.5 * MIN)).toBe(0);
    expect(missedFires("* * * * *", base, base + 2.5 * MIN)).toBe(1);
    expect(missedFires("* * * * *", base, base + 10 * MIN)).toBe(2);
    expect(missedFires("*/5 * * * *", base, base + 6 * MIN)).toBe(0);
    expect(missedFires("*/5 * * * *", base, base + 12 * MIN)).toBe(2);
    expect(missedFires("0 */4 * * *", base, base + 5 * 3600_000)).toBe(1);
    expect(missedFires("0 */4 * * *", base, base + 9 * 3600_000)).toBe(2);
  });
});

describe("GET /api/jobs", () => {
  it("lists each job's latest runs and flags the one that missed two intervals", async () => {
    const deps = testDeps({ db: t.db });
    deps.testClock.set(base);
    const app = createApp(deps);
    for (const job of ["heartbeat", "monitor", "checkpoint"]) {
      expect((await app.request(`/api/cron/${job}`, { headers: cronAuth })).status).toBe(200);
    }
    // Heartbeats keep coming for 12 minutes; monitor stops.
    for (let m = 1; m <= 12; m++) {
      deps.testClock.set(base + m * MIN);
      await app.request("/api/cron/heartbeat", { headers: cronAuth });
    }
    const res = await app.request("/api/jobs", { headers: apiAuth });
    expect(res.status).toBe(200);
    const { jobs } = await res.json();
    const byName = Object.fromEntries(jobs.map((j: { job: string }) => [j.job, j]));
    expect(byName.heartbeat).toMatchObject({ missed: false, lastStatus: "ok", lastRunAt: new Date(base + 12 * MIN).toISOString() });
    expect(byName.heartbeat.recent).toHaveLength(5);
    expect(byName.monitor).toMatchObject({ missed: true, missedIntervals: 2, schedule: "*/5 * * * *" });
    expect(byName.checkpoint).toMatchObject({ missed: false, missedIntervals: 0 });
  });

  it.each([
    ["no key", {}, 401],
    ["wrong key", { authorization: "Bearer wrong-key-wrong-key-wrong" }, 401],
    ["the cron secret", cronAuth, 401],
    ["right key", apiAuth, 200],
  ] as const)("auth: %s → %i", async (_n, headers, status) => {
    const res = await createApp(testDeps({ db: t.db })).request("/api/jobs", { headers });
    expect(res.status).toBe(status);
  });

  it("refuses with a clear message when VIGIL_API_KEY is unset", async () => {
    const app = createApp(testDeps({ db: t.db, env: testEnv({ VIGIL_API_KEY: undefined }) }));
    const res = await app.request("/api/jobs", { headers: { authorization: `Bearer ${API_KEY}` } });
    expect(res.status).toBe(401);
    expect((await res.json()).error.message).toContain("VIGIL_API_KEY is not configured");
  });
});
