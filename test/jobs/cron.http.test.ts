import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { latestRuns } from "../../src/jobs/job-runs.js";
import { JOBS } from "../../src/jobs/registry.js";
import type { JobFn } from "../../src/jobs/types.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { CRON_SECRET, cronAuth, testDeps, testEnv } from "../helpers/deps.js";

let t: TestDb;
beforeAll(async () => (t = await createTestDb()));
afterAll(() => t.cleanup());
beforeEach(async () => {
  await t.db.batch(["DELETE FROM job_runs", "DELETE FROM job_leases"], "write");
});

describe("cron auth", () => {
  const cases: [string, Record<string, string>, number][] = [
    ["no header", {}, 401],
    ["wrong secret", { authorization: "Bearer not-the-cron-secret-at-all" }, 401],
    ["secret without Bearer", { authorization: CRON_SECRET }, 401],
    ["right secret", cronAuth, 200],
  ];
  it.each(cases)("%s → %i", async (_name, headers, status) => {
    const app = createApp(testDeps({ db: t.db }));
    const res = await app.request("/api/cron/heartbeat", { headers });
    expect(res.status).toBe(status);
    if (status === 401) expect((await res.json()).error.code).toBe("unauthorized");
  });

  it("a HEAD with the right secret runs nothing: Hono answers HEAD with the GET handler", async () => {
    const app = createApp(testDeps({ db: t.db }));
    const res = await app.request("/api/cron/heartbeat", { method: "HEAD", headers: cronAuth });
    expect(res.status).toBe(405);
    expect(await latestRuns(t.db, "heartbeat", 10)).toEqual([]);
  });

  it("refuses every call when CRON_SECRET is unset, and logs why once", async () => {
    const deps = testDeps({ db: t.db, env: testEnv({ CRON_SECRET: undefined }) });
    const app = createApp(deps);
    for (let i = 0; i < 3; i++) {
      const res = await app.request("/api/cron/heartbeat", { headers: cronAuth });
      expect(res.status).toBe(401);
      expect((await res.json()).error.message).toContain("CRON_SECRET");
    }
    expect(deps.logs.records().filter((r) => r.msg === "secret not configured: refusing calls")).toHaveLength(1);
    expect(await latestRuns(t.db, "heartbeat", 10)).toEqual([]);
  });

  it("404s an unknown job once authenticated", async () => {
    const res = await createApp(testDeps({ db: t.db })).request("/api/cron/nope", { headers: cronAuth });
    expect(res.status).toBe(404);
  });
});

describe("cron runs", () => {
  it("records an ok run with its summary and answers it", async () => {
    const deps = testDeps({ db: t.db });
    const res = await createApp(deps).request("/api/cron/monitor", { headers: cronAuth });
    expect(res.status).toBe(200);
    const body = await res.json();
    const [run] = await latestRuns(t.db, "monitor", 5);
    expect(run).toMatchObject({ status: "ok", id: body.runId, startedAt: deps.clock(), error: null });
    expect(run!.summary).toEqual(await JOBS.monitor(deps, deps.clock()));
    expect(run!.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("records a throwing job as error, logs it at error level, and answers a generic 500", async () => {
    const failing: JobFn = async () => {
      throw new Error("langfuse exploded: sk-lf-secret");
    };
    const deps = testDeps({ db: t.db });
    const app = createApp(deps, { jobs: { ...JOBS, checkpoint: failing } });
    const res = await app.request("/api/cron/checkpoint", { headers: cronAuth });
    expect(res.status).toBe(500);
    expect(await res.text()).not.toContain("langfuse exploded");
    const [run] = await latestRuns(t.db, "checkpoint", 5);
    expect(run).toMatchObject({ status: "error", error: "langfuse exploded: sk-lf-secret" });
    expect(deps.logs.records().some((r) => r.level === "error" && r.msg === "job failed" && r.job === "checkpoint")).toBe(true);
    // The lease was given back: the next run goes ahead.
    const next = await createApp(deps).request("/api/cron/checkpoint", { headers: cronAuth });
    expect(next.status).toBe(200);
  });

  it("runs exactly one of two overlapping calls; the other is skipped and recorded", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    let runs = 0;
    const slow: JobFn = async () => {
      runs++;
      started();
      await gate;
      return { done: true };
    };
    const app = createApp(testDeps({ db: t.db }), { jobs: { ...JOBS, monitor: slow } });
    const first = app.request("/api/cron/monitor", { headers: cronAuth });
    // A fixed sleep did not prove that the first call held the lease: on a loaded machine the
    // second could take it first, and then wait on the gate that only the end of the test opens.
    await running;
    const second = await app.request("/api/cron/monitor", { headers: cronAuth });
    expect(second.status).toBe(200);
    expect(await second.json()).toMatchObject({ skipped: "locked" });
    release();
    expect(await (await first).json()).toMatchObject({ done: true });
    expect(runs).toBe(1);
    const statuses = (await latestRuns(t.db, "monitor", 5)).map((r) => r.status).sort();
    expect(statuses).toEqual(["ok", "skipped"]);
  });

  it("runs once when ten calls arrive at the same instant", async () => {
    let runs = 0;
    let answered = 0;
    let othersAnswered!: () => void;
    const held = new Promise<void>((resolve) => (othersAnswered = resolve));
    // The run holds its lease until the nine other calls have been answered (a second run
    // lets go at once, to fail fast): overlap guaranteed, however slow the database.
    const counted: JobFn = async () => {
      if (++runs > 1) othersAnswered();
      await held;
      return {};
    };
    const app = createApp(testDeps({ db: t.db }), { jobs: { ...JOBS, heartbeat: counted } });
    const bodies = await Promise.all(
      Array.from({ length: 10 }, async () => {
        const body = (await (await app.request("/api/cron/heartbeat", { headers: cronAuth })).json()) as { skipped?: string };
        if (++answered === 9) othersAnswered();
        return body;
      }),
    );
    expect(runs).toBe(1);
    expect(bodies.filter((b) => b.skipped === "locked")).toHaveLength(9);
  });

  it("takes over a lease left by a crashed run once it has expired", async () => {
    const deps = testDeps({ db: t.db });
    const now = deps.clock();
    await t.db.execute({
      sql: "INSERT INTO job_leases (job, holder, lease_until, acquired_at) VALUES ('heartbeat', 'crashed', ?, ?)",
      args: [now + 1000, now - 299_000],
    });
    const app = createApp(deps);
    expect(await (await app.request("/api/cron/heartbeat", { headers: cronAuth })).json()).toMatchObject({ skipped: "locked" });
    deps.testClock.advance(1000);
    const res = await app.request("/api/cron/heartbeat", { headers: cronAuth });
    expect(await res.json()).not.toHaveProperty("skipped");
  });
});
