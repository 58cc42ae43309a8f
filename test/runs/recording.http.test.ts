import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { listEvents } from "../helpers/events.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { testDeps } from "../helpers/deps.js";
import { call } from "../helpers/runs.js";

let t: TestDb;
let deps: ReturnType<typeof testDeps>;
let app: ReturnType<typeof createApp>;
beforeAll(async () => {
  t = await createTestDb();
  deps = testDeps({ db: t.db });
  app = createApp(deps);
});
afterAll(() => t.cleanup());

let n = 0;
const sid = (p = "run") => `${p}-${++n}`;

describe("POST /api/runs", () => {
  it("creates (201), accepts the identical retry (200), refuses different data (409)", async () => {
    const body = { sessionId: sid(), taskDescription: "Build and deploy", totalTasks: 5, gitCommitHash: "abc123" };
    const created = await call(app, "POST", "/api/runs", body);
    expect(created.status).toBe(201);
    expect(created.body.run).toMatchObject({
      sessionId: body.sessionId,
      status: "running",
      totalTasks: 5,
      completedTasks: 0,
      gitCommitHash: "abc123",
    });
    const again = await call(app, "POST", "/api/runs", body);
    expect(again.status).toBe(200);
    expect(again.body.run.id).toBe(created.body.run.id);
    const other = await call(app, "POST", "/api/runs", { ...body, totalTasks: 6 });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe("conflict");
  });

  it.each([
    [{ taskDescription: "x", totalTasks: 1 }, "sessionId"],
    [{ sessionId: "s", taskDescription: "x", totalTasks: -1 }, "totalTasks"],
    [{ sessionId: "s", taskDescription: "", totalTasks: 1 }, "taskDescription"],
    [{ sessionId: "s", taskDescription: "x", totalTasks: "five" }, "totalTasks"],
  ])("400s %j naming %s", async (body, field) => {
    const res = await call(app, "POST", "/api/runs", body);
    expect(res.status).toBe(400);
    expect(res.body.error.problems.map((p: { field: string }) => p.field)).toContain(field);
  });

  it("400s a body that is not JSON", async () => {
    const res = await app.request("/api/runs", {
      method: "POST",
      headers: { authorization: "Bearer test-api-key-0123456789abcdef" },
      body: "{",
    });
    expect(res.status).toBe(400);
  });
});

describe("progress and completion", () => {
  it("records progress, completes with a server-computed duration, and emits one event", async () => {
    const s = sid();
    await call(app, "POST", "/api/runs", { sessionId: s, taskDescription: "t", totalTasks: 3 });
    deps.testClock.advance(60_000);
    const p = await call(app, "POST", `/api/runs/${s}/progress`, { completedTasks: 1, message: "task 1 done" });
    expect(p.body.run).toMatchObject({
      completedTasks: 1,
      lastMessage: "task 1 done",
      lastProgressAt: new Date(deps.clock()).toISOString(),
    });
    deps.testClock.advance(90_000);
    const body = { status: "failed", completedTasks: 2, failedTasks: 1 };
    const done = await call(app, "POST", `/api/runs/${s}/complete`, body);
    expect(done.status).toBe(200);
    expect(done.body.run).toMatchObject({ status: "failed", durationMs: 150_000, completionSource: "reported" });
    // The identical retry is fine and emits nothing more; a different one conflicts.
    expect((await call(app, "POST", `/api/runs/${s}/complete`, body)).status).toBe(200);
    expect((await call(app, "POST", `/api/runs/${s}/complete`, { ...body, status: "completed" })).status).toBe(409);
    expect((await call(app, "POST", `/api/runs/${s}/progress`, { completedTasks: 3 })).status).toBe(409);
    const events = (await listEvents(t.db, { limit: 100 })).filter((e) => e.subject === s);
    expect(events.map((e) => e.type)).toEqual(["run_failed"]);
  });

  it("404s unknown runs", async () => {
    expect((await call(app, "POST", "/api/runs/nope/progress", { completedTasks: 1 })).status).toBe(404);
    expect((await call(app, "POST", "/api/runs/nope/complete", { status: "completed", completedTasks: 1, failedTasks: 0 })).status).toBe(
      404,
    );
    expect((await call(app, "GET", "/api/runs/nope")).status).toBe(404);
    expect((await call(app, "GET", "/api/runs/nope/executions")).status).toBe(404);
    expect((await call(app, "GET", "/api/runs/nope/report")).status).toBe(404);
  });

  it("400s a completion with a status it does not know", async () => {
    const s = sid();
    await call(app, "POST", "/api/runs", { sessionId: s, taskDescription: "t", totalTasks: 1 });
    const res = await call(app, "POST", `/api/runs/${s}/complete`, { status: "done", completedTasks: 1, failedTasks: 0 });
    expect(res.status).toBe(400);
    expect(res.body.error.problems[0].field).toBe("status");
  });
});

describe("agent executions", () => {
  it("start and complete idempotently; a failure emits step_failure once", async () => {
    const s = sid();
    await call(app, "POST", "/api/runs", { sessionId: s, taskDescription: "t", totalTasks: 2 });
    const start = { agentSessionId: sid("agent"), agentName: "backend-agent", orchestrationSessionId: s, taskNumber: 1 };
    expect((await call(app, "POST", "/api/executions", start)).status).toBe(201);
    expect((await call(app, "POST", "/api/executions", start)).status).toBe(200);
    expect((await call(app, "POST", "/api/executions", { ...start, agentName: "other" })).status).toBe(409);
    deps.testClock.advance(5000);
    const complete = { status: "failed", filesCreated: 1, filesModified: 2, retryCount: 3, selfHealed: false, errorMessage: "tsc failed" };
    const done = await call(app, "POST", `/api/executions/${start.agentSessionId}/complete`, complete);
    expect(done.body.execution).toMatchObject({ status: "failed", durationMs: 5000, retryCount: 3, errorMessage: "tsc failed" });
    expect((await call(app, "POST", `/api/executions/${start.agentSessionId}/complete`, complete)).status).toBe(200);
    expect((await call(app, "POST", `/api/executions/${start.agentSessionId}/complete`, { ...complete, status: "completed" })).status).toBe(
      409,
    );
    const failures = (await listEvents(t.db, { type: "step_failure", limit: 100 })).filter((e) => e.subject === start.agentSessionId);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.payload).toMatchObject({ agentName: "backend-agent", errorMessage: "tsc failed" });
  });

  it("emits step_failure when the execution fails, even if its agent has no stats row to count it in", async () => {
    // An execution started by a deployment still running code from before agent_stats existed
    // (migration 7 only backfilled the executions already there) has no stats row. The failure
    // event belongs to the state change, not to the counter: it used to be lost here.
    const start = { agentSessionId: sid("agent"), agentName: sid("pre-stats-agent") };
    expect((await call(app, "POST", "/api/executions", start)).status).toBe(201);
    await t.db.execute({ sql: "DELETE FROM agent_stats WHERE agent_name = ?", args: [start.agentName] });
    const complete = { status: "failed", filesCreated: 0, filesModified: 0, retryCount: 1, selfHealed: false, errorMessage: "boom" };
    const done = await call(app, "POST", `/api/executions/${start.agentSessionId}/complete`, complete);
    expect(done.status).toBe(200);
    expect(done.body.execution.status).toBe("failed");
    const failures = (await listEvents(t.db, { type: "step_failure", limit: 100 })).filter((e) => e.subject === start.agentSessionId);
    expect(failures.map((e) => e.payload)).toEqual([
      { agentSessionId: start.agentSessionId, agentName: start.agentName, taskId: null, retryCount: 1, errorMessage: "boom" },
    ]);
  });

  it("counts a finished execution in its agent's stats once, and nothing for a retry", async () => {
    const agentName = sid("counted-agent");
    const stats = async () =>
      (
        await t.db.execute({
          sql: "SELECT runs, completed, failed, duration_count FROM agent_stats WHERE agent_name = ?",
          args: [agentName],
        })
      ).rows[0];
    const start = { agentSessionId: sid("agent"), agentName };
    await call(app, "POST", "/api/executions", start);
    const complete = { status: "failed", filesCreated: 0, filesModified: 0, retryCount: 0, selfHealed: false, errorMessage: "x" };
    await call(app, "POST", `/api/executions/${start.agentSessionId}/complete`, complete);
    await call(app, "POST", `/api/executions/${start.agentSessionId}/complete`, complete);
    expect({ ...(await stats()) }).toEqual({ runs: 1, completed: 0, failed: 1, duration_count: 1 });
  });

  it("404s an unknown orchestration or execution; 400s a bad body", async () => {
    expect(
      (await call(app, "POST", "/api/executions", { agentSessionId: sid(), agentName: "a", orchestrationSessionId: "missing" })).status,
    ).toBe(404);
    expect(
      (
        await call(app, "POST", "/api/executions/missing/complete", {
          status: "completed",
          filesCreated: 0,
          filesModified: 0,
          retryCount: 0,
          selfHealed: false,
        })
      ).status,
    ).toBe(404);
    const bad = await call(app, "POST", "/api/executions", { agentSessionId: sid() });
    expect(bad.status).toBe(400);
    expect(bad.body.error.problems[0].field).toBe("agentName");
  });

  it("records executions without an orchestration", async () => {
    const res = await call(app, "POST", "/api/executions", { agentSessionId: sid("solo"), agentName: "solo-agent" });
    expect(res.status).toBe(201);
    expect(res.body.execution.orchestrationId).toBeNull();
  });
});
