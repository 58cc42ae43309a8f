import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { createDb, type Db } from "../../src/db/client.js";
import { ABANDONED_RUN_ERROR } from "../../src/jobs/job-runs.js";
import { JOBS } from "../../src/jobs/registry.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { cronAuth, testDeps } from "../helpers/deps.js";

// Guarantees when the database is busy or gone: a cron answers 503 (so a retry is due, and
// `vercel logs` shows why), a failure inside a job is recorded against its run once the
// database answers again, and the next run works normally. Webhooks under the same faults
// are covered in test/stability/webhooks.http.test.ts ("never a 2xx without storing").

let t: TestDb;
let busyDb: Db;
beforeAll(async () => {
  t = await createTestDb();
  busyDb = createDb({ url: t.url, busyTimeoutMs: 50 });
});
afterAll(() => {
  busyDb.close();
  t.cleanup();
});

const runs = async (job: string) =>
  (await t.db.execute({ sql: "SELECT status, error FROM job_runs WHERE job = ? ORDER BY started_at, rowid", args: [job] })).rows.map(
    (r) => ({ status: r.status, error: r.error }),
  );

describe("a locked database", () => {
  it("a cron that cannot take its lease answers 503, logs why, holds nothing, and the next run works", async () => {
    const deps = testDeps({ db: busyDb });
    deps.testClock.set(Date.now());
    const app = createApp(deps);
    await app.request("/api/health"); // the schema check, while unlocked

    const locker = createDb({ url: t.url });
    const tx = await locker.transaction("write");
    await tx.execute("INSERT INTO signature_failures (source, reason, received_at) VALUES ('lock', 'holding', 0)");
    const res = await app.request("/api/cron/heartbeat", { headers: cronAuth });
    expect(res.status).toBe(503);
    expect((await res.json()).error.code).toBe("unavailable");
    await tx.rollback();
    locker.close();
    expect(deps.logs.records().some((r) => r.level === "error" || r.level === "warn")).toBe(true);

    deps.testClock.advance(60_000);
    const next = await app.request("/api/cron/heartbeat", { headers: cronAuth });
    expect(next.status).toBe(200);
    expect((await next.json()).skipped).toBeUndefined();
    expect(await runs("heartbeat")).toEqual([{ status: "ok", error: null }]);
  });

  it("a job that meets a lock half-way: the failure is recorded by the next run, which is ok", async () => {
    const deps = testDeps({ db: busyDb });
    deps.testClock.set(Date.now());
    let locked = true;
    const locker = createDb({ url: t.url });
    let tx: Awaited<ReturnType<Db["transaction"]>> | undefined;
    const app = createApp(deps, {
      jobs: {
        ...JOBS,
        checkpoint: async (d, now) => {
          if (!locked) return JOBS.checkpoint(d, now);
          // Another writer takes the database in the middle of the job and holds it until the job
          // has answered: released on a timer instead, a stalled job could find it free again.
          tx = await locker.transaction("write");
          await tx.execute("INSERT INTO signature_failures (source, reason, received_at) VALUES ('lock', 'holding', 0)");
          locked = false;
          return JOBS.checkpoint(d, now);
        },
      },
    });
    const res = await app.request("/api/cron/checkpoint", { headers: cronAuth });
    expect(res.status).toBe(503);
    await tx!.rollback();
    locker.close();
    // Its end could not be written while the lock lasted: the run still shows as running.
    expect(await runs("checkpoint")).toEqual([{ status: "running", error: null }]);

    // The lease of the failed run was given back or expires with the function's max
    // duration; the next run records the failure it could not, then runs normally.
    deps.testClock.advance(deps.env.CRON_MAX_DURATION_SECONDS * 1000);
    const next = await app.request("/api/cron/checkpoint", { headers: cronAuth });
    expect(next.status).toBe(200);
    expect((await next.json()).skipped).toBeUndefined();
    expect(await runs("checkpoint")).toEqual([
      { status: "error", error: ABANDONED_RUN_ERROR },
      { status: "ok", error: null },
    ]);
  });
});

describe("an unreachable database", () => {
  it("every cron answers 503 with the reason in the log, never a raw error", async () => {
    const down = createDb({ url: "http://127.0.0.1:9" });
    const deps = testDeps({ db: down });
    const app = createApp(deps);
    for (const job of ["heartbeat", "monitor", "checkpoint"]) {
      const res = await app.request(`/api/cron/${job}`, { headers: cronAuth });
      expect(res.status, job).toBe(503);
      const body = await res.json();
      expect(body.error.code).toBe("unavailable");
      expect(JSON.stringify(body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|stack/);
    }
    expect(deps.logs.text()).toMatch(/ECONNREFUSED|fetch failed|unreachable|HTTP/i);
    down.close();
  });
});
