import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { listEvents } from "../helpers/events.js";
import { heartbeat } from "../../src/jobs/heartbeat.js";
import { handleFinishedRuns } from "../../src/runs/detectors.js";

import { createTestDb, type TestDb } from "../helpers/db.js";
import { cronAuth, testDeps, testEnv } from "../helpers/deps.js";
import { call } from "../helpers/runs.js";

let t: TestDb;
let deps: ReturnType<typeof testDeps>;
let app: ReturnType<typeof createApp>;
beforeEach(async () => {
  t = await createTestDb();
  deps = testDeps({ db: t.db, env: testEnv({ STALL_MINUTES: "30" }) });
  app = createApp(deps);
});
afterEach(() => t.cleanup());

const MIN = 60_000;
const beat = () => app.request("/api/cron/heartbeat", { headers: cronAuth });
const events = async (subject: string) =>
  (await listEvents(t.db, { limit: 100 }))
    .filter((e) => e.subject === subject)
    .map((e) => e.type)
    .reverse();
const start = (sessionId: string, totalTasks: number) => call(app, "POST", "/api/runs", { sessionId, taskDescription: "t", totalTasks });

describe("completion detection", () => {
  it.each([
    [{ completedTasks: 3, failedTasks: 0 }, "completed", "run_completed"],
    [{ completedTasks: 0, failedTasks: 3 }, "failed", "run_failed"],
    [{ completedTasks: 2, failedTasks: 1 }, "partial", "run_failed"],
  ])("derives the status from %j → %s", async (progress, status, event) => {
    await start("r", 3);
    await call(app, "POST", "/api/runs/r/progress", progress);
    await beat();
    const { body } = await call(app, "GET", "/api/runs/r");
    expect(body.run).toMatchObject({ status, completionSource: "derived" });
    expect(await events("r")).toEqual([event]);
  });

  it("leaves a run that has not reached its total running", async () => {
    await start("r", 3);
    await call(app, "POST", "/api/runs/r/progress", { completedTasks: 2 });
    await beat();
    expect((await call(app, "GET", "/api/runs/r")).body.run.status).toBe("running");
  });

  it("emits each event once when heartbeats overlap", async () => {
    await start("r", 2);
    await call(app, "POST", "/api/runs/r/progress", { completedTasks: 2 });
    // Bypass the lease on purpose: the steps themselves must be safe to run concurrently.
    await Promise.all(Array.from({ length: 5 }, () => heartbeat(deps, deps.clock())));
    expect(await events("r")).toEqual(["run_completed"]);
  });
});

describe("stall detection", () => {
  it("reports a stall once, resets on progress, and reports the next stall again", async () => {
    await start("s", 5);
    deps.testClock.advance(29 * MIN);
    await beat();
    expect(await events("s")).toEqual([]);
    deps.testClock.advance(2 * MIN);
    await beat();
    deps.testClock.advance(10 * MIN);
    await beat();
    expect(await events("s")).toEqual(["run_stalled"]);

    await call(app, "POST", "/api/runs/s/progress", { completedTasks: 1 });
    deps.testClock.advance(20 * MIN);
    await beat();
    expect(await events("s")).toEqual(["run_stalled"]);
    deps.testClock.advance(11 * MIN);
    await beat();
    await beat();
    expect(await events("s")).toEqual(["run_stalled", "run_stalled"]);
  });
});

describe("completion handlers: report and archive", () => {
  async function finishedRun(sessionId: string) {
    await start(sessionId, 1);
    await call(app, "POST", "/api/executions", { agentSessionId: `${sessionId}-a`, agentName: "coder", orchestrationSessionId: sessionId });
    await call(app, "POST", `/api/executions/${sessionId}-a/complete`, {
      status: "completed",
      filesCreated: 2,
      filesModified: 1,
      retryCount: 0,
      selfHealed: true,
    });
    await call(app, "POST", `/api/runs/${sessionId}/complete`, { status: "completed", completedTasks: 1, failedTasks: 0 });
    await beat();
  }

  it("writes the report and a verified archive, then retention deletes the hot rows and keeps the report", async () => {
    await finishedRun("a");
    const archive = await t.db.execute("SELECT status, executions, sha256 FROM run_archives WHERE session_id = 'a'");
    expect(archive.rows[0]).toMatchObject({ status: "verified", executions: 1 });
    deps.testClock.advance(3 * 86_400_000);
    const cleanup = await call(app, "DELETE", "/api/runs?olderThanDays=2");
    expect(cleanup.body).toEqual({ deleted: 1, blocked: [] });
    expect((await call(app, "GET", "/api/runs/a")).status).toBe(404);
    const left = await t.db.execute("SELECT COUNT(*) AS n FROM agent_executions WHERE agent_session_id = 'a-a'");
    expect(Number(left.rows[0]!.n)).toBe(0);
    const report = await call(app, "GET", "/api/runs/a/report");
    expect(report.body).toMatchObject({ sessionId: "a", executions: 1, filesCreated: 2, selfHealed: 1 });
  });

  it("catches a corrupted archive: deletion is blocked and archival_failure emitted once", async () => {
    await finishedRun("b");
    await t.db.execute(
      "UPDATE run_archives SET snapshot = replace(snapshot, '\"filesCreated\":2', '\"filesCreated\":9') WHERE session_id = 'b'",
    );
    deps.testClock.advance(3 * 86_400_000);
    const first = await call(app, "DELETE", "/api/runs?olderThanDays=2");
    expect(first.body).toEqual({ deleted: 0, blocked: [{ sessionId: "b", reason: "sha256 mismatch: the archive is corrupted" }] });
    await call(app, "DELETE", "/api/runs?olderThanDays=2");
    expect((await call(app, "GET", "/api/runs/b")).status).toBe(200);
    expect((await events("b")).filter((e) => e === "archival_failure")).toHaveLength(1);
  });

  it("blocks deletion of a run whose archive misses later executions", async () => {
    await finishedRun("c");
    await call(app, "POST", "/api/executions", { agentSessionId: "c-late", agentName: "reviewer", orchestrationSessionId: "c" });
    deps.testClock.advance(3 * 86_400_000);
    const res = await call(app, "DELETE", "/api/runs?olderThanDays=2");
    expect(res.body.blocked[0]).toMatchObject({ sessionId: "c", reason: expect.stringContaining("missing executions") });
  });

  it("keeps the hot rows of a run over RUN_ARCHIVE_MAX_EXECUTIONS and says why, once", async () => {
    deps = testDeps({ db: t.db, env: testEnv({ RUN_ARCHIVE_MAX_EXECUTIONS: "1" }) });
    app = createApp(deps);
    await start("big", 2);
    for (const a of ["big-1", "big-2"])
      await call(app, "POST", "/api/executions", { agentSessionId: a, agentName: "coder", orchestrationSessionId: "big" });
    await call(app, "POST", "/api/runs/big/complete", { status: "completed", completedTasks: 2, failedTasks: 0 });
    await beat();
    await beat();
    const archive = await t.db.execute("SELECT status, error FROM run_archives WHERE session_id = 'big'");
    expect(archive.rows[0]).toMatchObject({ status: "failed", error: expect.stringContaining("over the archive cap of 1") });
    deps.testClock.advance(3 * 86_400_000);
    const cleanup = await call(app, "DELETE", "/api/runs?olderThanDays=2");
    expect(cleanup.body).toMatchObject({ deleted: 0, blocked: [{ sessionId: "big" }] });
    expect((await events("big")).filter((e) => e === "archival_failure")).toHaveLength(1);
    expect((await call(app, "GET", "/api/runs/big/report")).body).toMatchObject({ executions: 2 });
    const served = await call(app, "GET", "/api/runs/big/archive");
    expect(served.status).toBe(409);
    expect(JSON.stringify(served.body)).toContain("was not archived");
  });

  it("starts no new archiving wave after 30 s of a heartbeat; the next heartbeat archives the rest, each once", async () => {
    const at = deps.clock();
    // Three finished runs of 5,000 executions each: one wave each.
    for (const id of [1, 2, 3]) {
      await t.db.execute({
        sql: `INSERT INTO orchestrations (id, session_id, task_description, status, started_at, completed_at, total_tasks, completed_tasks, last_progress_at)
              VALUES (?, ?, 'big', 'completed', ?, ?, 1, 1, ?)`,
        args: [id, `wave-${id}`, at - 60_000, at - 30_000 + id, at],
      });
      await t.db.execute({
        sql: `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
              INSERT INTO agent_executions (orchestration_id, agent_session_id, agent_name, status, started_at) SELECT ?, ? || '-' || i, 'coder', 'completed', ? + i FROM n`,
        args: [id, `wave-${id}`, at - 60_000],
      });
    }
    // A clock that moves 40 s each time it is read: the first wave alone takes the budget.
    let ticks = 0;
    const slow = { ...deps, clock: () => at + 40_000 * ticks++ };
    expect(await handleFinishedRuns(slow, at, deps.settings.runs)).toEqual({ archived: 1, archiveFailures: 0, deferred: 2 });
    expect(await handleFinishedRuns(deps, at, deps.settings.runs)).toEqual({ archived: 2, archiveFailures: 0 });
    const stored = await t.db.execute("SELECT COUNT(*) AS n FROM run_archives WHERE session_id LIKE 'wave-%' AND status = 'verified'");
    expect(Number(stored.rows[0]!.n)).toBe(3);
  });

  it("applies RUN_RETENTION_DAYS from the checkpoint job", async () => {
    await finishedRun("d");
    deps.testClock.advance(91 * 86_400_000);
    const res = await app.request("/api/cron/checkpoint", { headers: cronAuth });
    expect((await res.json()).retention).toMatchObject({ deletedRuns: 1 });
  });

  it("400s a cleanup without a valid age", async () => {
    expect((await call(app, "DELETE", "/api/runs")).status).toBe(400);
    expect((await call(app, "DELETE", "/api/runs?olderThanDays=0")).status).toBe(400);
  });
});
