import { serve } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { createVigilClient, VigilApiError } from "../../src/client/vigil-client.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { API_KEY, testDeps } from "../helpers/deps.js";
import { call } from "../helpers/runs.js";

// Seed 002 ("Monitoring System Documentation", § Programmatic Usage): its calls, with their own
// objects, work against Vigil as a team that used the seed tracker writes them.
let t: TestDb;
let app: ReturnType<typeof createApp>;
let server: ReturnType<typeof serve>;
let url: string;

beforeAll(async () => {
  t = await createTestDb();
  app = createApp(testDeps({ db: t.db }));
  server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise((r) => server.once("listening", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.close();
  t.cleanup();
});

describe("the seed's programmatic usage, through the client", () => {
  it("links the execution by the id startOrchestration returned, and completes it without retry fields", async () => {
    const monitor = createVigilClient({ url, apiKey: API_KEY, retries: 0 });
    // Verbatim from the seed, with `await` (the calls go over HTTP).
    const orchestrationId = await monitor.startOrchestration({
      sessionId: "my-session-123",
      taskDescription: "Build and deploy",
      totalTasks: 5,
    });
    const executionId = await monitor.startAgentExecution({
      agentSessionId: "agent-session-456",
      agentName: "backend-agent",
      orchestrationId: orchestrationId,
      taskNumber: 1,
    });
    await monitor.completeAgentExecution({
      agentSessionId: "agent-session-456",
      status: "completed",
      filesCreated: 3,
      filesModified: 5,
    });
    await monitor.completeOrchestration({
      sessionId: "my-session-123",
      status: "completed",
      completedTasks: 5,
      failedTasks: 0,
    });
    expect(typeof orchestrationId.id).toBe("number");
    expect(executionId.orchestrationId).toBe(orchestrationId.id);
    const executions = await monitor.getExecutions("my-session-123");
    expect(executions).toMatchObject([
      { agentSessionId: "agent-session-456", status: "completed", filesCreated: 3, filesModified: 5, retryCount: 0, selfHealed: false },
    ]);
    const summary = await monitor.getOrchestrationSummary("my-session-123");
    expect(summary).toMatchObject({ status: "completed", executions: 1, filesCreated: 3, filesModified: 5 });
    expect((await monitor.getSystemHealth(24)).orchestrations.completed).toBeGreaterThanOrEqual(1);
  });

  it("takes the numeric id as well as the run", async () => {
    const monitor = createVigilClient({ url, apiKey: API_KEY, retries: 0 });
    const run = await monitor.startOrchestration({ sessionId: "by-number", taskDescription: "x", totalTasks: 1 });
    const execution = await monitor.startAgentExecution({ agentSessionId: "by-number-a", agentName: "a", orchestrationId: run.id });
    expect(execution.orchestrationId).toBe(run.id);
  });

  it("refuses a misspelt field with a 400 naming it, and stores nothing", async () => {
    const monitor = createVigilClient({ url, apiKey: API_KEY, retries: 0 });
    const misspelt = { agentSessionId: "typo-1", agentName: "a", orchestrationSessionID: "my-session-123" };
    const error = await monitor.startAgentExecution(misspelt as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VigilApiError);
    expect((error as VigilApiError).status).toBe(400);
    expect((error as VigilApiError).message).toContain("orchestrationSessionID");
    expect((await call(app, "GET", "/api/runs/my-session-123/executions")).body.executions).toHaveLength(1);
  });
});

describe("the seed's objects as HTTP bodies", () => {
  it("link by orchestrationId, complete with the id in the body, and refuse what no route declares", async () => {
    const started = await call(app, "POST", "/api/runs", { sessionId: "http-seed", taskDescription: "Build", totalTasks: 2 });
    const orchestrationId = started.body.run.id as number;
    const exec = await call(app, "POST", "/api/executions", {
      agentSessionId: "http-seed-a",
      agentName: "backend-agent",
      orchestrationId,
      taskNumber: 1,
    });
    expect(exec.status).toBe(201);
    expect(exec.body.execution.orchestrationId).toBe(orchestrationId);

    const done = await call(app, "POST", "/api/executions/http-seed-a/complete", {
      agentSessionId: "http-seed-a",
      status: "completed",
      filesCreated: 3,
      filesModified: 5,
    });
    expect(done.status).toBe(200);
    expect(done.body.execution).toMatchObject({ retryCount: 0, selfHealed: false });

    const typo = await call(app, "POST", "/api/runs/http-seed/complete", {
      sessionId: "http-seed",
      status: "completed",
      completedTasks: 2,
      failedTasks: 0,
      failedTask: 0,
    });
    expect(typo.status).toBe(400);
    expect(typo.body.error.problems).toEqual([{ field: "failedTask", message: "unknown field" }]);
    expect((await call(app, "GET", "/api/runs/http-seed")).body.run.status).toBe("running");
  });

  it.each([
    ["POST", "/api/runs", { sessionId: "s-x", taskDescription: "t", totalTasks: 1, gitCommit: "abc" }, "gitCommit"],
    ["POST", "/api/runs/http-seed/progress", { completedTasks: 1, note: "x" }, "note"],
    ["POST", "/api/executions", { agentSessionId: "x-1", agentName: "a", taskNo: 1 }, "taskNo"],
    ["POST", "/api/silences", { matchers: { rule: "x" }, until: "2099-01-01T00:00:00Z", comment: "c", reason: "r" }, "reason"],
  ])("%s %s: an unknown field is a 400 naming it", async (method, path, body, field) => {
    const res = await call(app, method, path, body);
    expect(res.status).toBe(400);
    expect(res.body.error.problems).toContainEqual({ field, message: "unknown field" });
  });

  it("refuses an id in the body that is not the path's, and ids naming two different runs", async () => {
    await call(app, "POST", "/api/runs", { sessionId: "other-run", taskDescription: "o", totalTasks: 1 });
    const wrong = await call(app, "POST", "/api/runs/http-seed/complete", {
      sessionId: "other-run",
      status: "completed",
      completedTasks: 2,
      failedTasks: 0,
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.problems[0].field).toBe("sessionId");
    const otherId = (await call(app, "GET", "/api/runs/other-run")).body.run.id as number;
    const both = await call(app, "POST", "/api/executions", {
      agentSessionId: "two-runs",
      agentName: "a",
      orchestrationSessionId: "http-seed",
      orchestrationId: otherId,
    });
    expect(both.status).toBe(400);
    expect(
      (await call(app, "POST", "/api/executions", { agentSessionId: "no-run", agentName: "a", orchestrationId: 999_999 })).status,
    ).toBe(404);
  });
});
