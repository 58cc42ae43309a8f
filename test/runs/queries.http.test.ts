import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { testDeps } from "../helpers/deps.js";
import { call } from "../helpers/runs.js";

let t: TestDb;
let deps: ReturnType<typeof testDeps>;
let app: ReturnType<typeof createApp>;
const H = 3600_000;

// Three runs over two days: one old and completed, one failed yesterday-ish, one running now.
beforeAll(async () => {
  t = await createTestDb();
  deps = testDeps({ db: t.db });
  app = createApp(deps);
  const base = deps.clock();
  const run = async (
    at: number,
    sessionId: string,
    tasks: number,
    agents: [string, "completed" | "failed", number][],
    finish?: { status: string; completedTasks: number; failedTasks: number },
  ) => {
    deps.testClock.set(at);
    await call(app, "POST", "/api/runs", { sessionId, taskDescription: `task ${sessionId}`, totalTasks: tasks });
    for (const [i, [agent, status, ms]] of agents.entries()) {
      deps.testClock.set(at + i * 1000);
      await call(app, "POST", "/api/executions", {
        agentSessionId: `${sessionId}-a${i}`,
        agentName: agent,
        orchestrationSessionId: sessionId,
        taskNumber: i + 1,
      });
      deps.testClock.set(at + i * 1000 + ms);
      await call(app, "POST", `/api/executions/${sessionId}-a${i}/complete`, {
        status,
        filesCreated: 1,
        filesModified: 1,
        retryCount: 0,
        selfHealed: false,
        ...(status === "failed" ? { errorMessage: "boom" } : {}),
      });
    }
    if (finish) {
      deps.testClock.set(at + 10 * 60_000);
      await call(app, "POST", `/api/runs/${sessionId}/complete`, finish);
    }
  };
  await run(
    base - 40 * H,
    "old",
    2,
    [
      ["planner", "completed", 2000],
      ["coder", "completed", 8000],
    ],
    { status: "completed", completedTasks: 2, failedTasks: 0 },
  );
  await run(
    base - 5 * H,
    "broken",
    4,
    [
      ["planner", "completed", 1000],
      ["coder", "failed", 4000],
    ],
    { status: "failed", completedTasks: 1, failedTasks: 3 },
  );
  await run(base - 1 * H, "live", 3, [["coder", "completed", 6000]]);
  deps.testClock.set(base);
});
afterAll(() => t.cleanup());

describe("queries", () => {
  it("stats/health counts the window", async () => {
    const day = await call(app, "GET", "/api/stats/health?hours=24");
    expect(day.body).toMatchObject({
      hours: 24,
      orchestrations: { total: 2, completed: 0, failed: 1, running: 1 },
      agents: { total: 3, completed: 2, failed: 1 },
      averageDurationMs: 600_000,
    });
    expect(day.body.agents.successRate).toBeCloseTo(2 / 3);
    const week = await call(app, "GET", "/api/stats/health?hours=168");
    expect(week.body.orchestrations).toMatchObject({ total: 3, completed: 1 });
    expect((await call(app, "GET", "/api/stats/health?hours=abc")).status).toBe(400);
  });

  it("stats/performance reports each agent", async () => {
    const { body } = await call(app, "GET", "/api/stats/performance");
    const coder = body.agents.find((a: { agentName: string }) => a.agentName === "coder");
    expect(coder).toEqual({
      agentName: "coder",
      runs: 3,
      completed: 2,
      failed: 1,
      successRate: 2 / 3,
      minDurationMs: 4000,
      maxDurationMs: 8000,
      avgDurationMs: 6000,
    });
  });

  it("failures lists failed runs with completion rates", async () => {
    const { body } = await call(app, "GET", "/api/failures?limit=10");
    expect(body.failures).toHaveLength(1);
    expect(body.failures[0]).toMatchObject({ sessionId: "broken", completionRate: 0.25, durationMs: 600_000 });
    expect((await call(app, "GET", "/api/failures?limit=0")).status).toBe(400);
  });

  it("runs pages with a cursor without gaps or repeats, and filters by status", async () => {
    const first = await call(app, "GET", "/api/runs?limit=2");
    expect(first.body.runs.map((r: { sessionId: string }) => r.sessionId)).toEqual(["live", "broken"]);
    const second = await call(app, "GET", `/api/runs?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.runs.map((r: { sessionId: string }) => r.sessionId)).toEqual(["old"]);
    expect(second.body.nextCursor).toBeNull();
    const running = await call(app, "GET", "/api/runs?status=running");
    expect(running.body.runs.map((r: { sessionId: string }) => r.sessionId)).toEqual(["live"]);
    expect((await call(app, "GET", "/api/runs?cursor=garbage")).status).toBe(400);
    expect((await call(app, "GET", "/api/runs?status=done")).status).toBe(400);
  });

  it("shows a run, its executions, its report, and an agent", async () => {
    const run = await call(app, "GET", "/api/runs/broken");
    expect(run.body.executions).toEqual({ total: 2, completed: 1, failed: 1, inProgress: 0 });
    const execs = await call(app, "GET", "/api/runs/broken/executions");
    expect(execs.body.executions.map((e: { agentName: string }) => e.agentName)).toEqual(["planner", "coder"]);
    const report = await call(app, "GET", "/api/runs/broken/report");
    expect(report.body).toMatchObject({
      sessionId: "broken",
      status: "failed",
      tasks: { total: 4, completed: 1, failed: 3, completionRate: 0.25 },
      executions: 2,
    });
    expect(report.body.failures).toEqual([{ agentName: "coder", agentSessionId: "broken-a1", taskId: null, errorMessage: "boom" }]);
    const agent = await call(app, "GET", "/api/agents/planner");
    expect(agent.body).toMatchObject({ agentName: "planner", runs: 2, completed: 2 });
    expect(agent.body.recent).toHaveLength(2);
    expect((await call(app, "GET", "/api/agents/nobody")).status).toBe(404);
  });
});
