import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createVigilClient } from "../../src/client/vigil-client.js";
import { createDb } from "../../src/db/client.js";
import { unconditional } from "../../src/db/guarded-batch.js";
import type { ResultRow } from "../../src/monitoring/verdict-row.js";
import { resultInsert } from "../../src/monitoring/store/results.js";
import { API_KEY, CRON_SECRET } from "../helpers/deps.js";
import { runAgainst, startServer, type ServerProcess } from "../helpers/server-process.js";

const dir = mkdtempSync(join(tmpdir(), "vigil-cli-"));
let server: ServerProcess;

const cli = (args: string[], env: Record<string, string> = {}) => runAgainst(server, ["--import", "tsx", "src/cli/main.ts", ...args], env);

beforeAll(async () => {
  server = await startServer({
    TURSO_DATABASE_URL: `file:${join(dir, "cli.db")}`,
    VIGIL_API_KEY: API_KEY,
    CRON_SECRET,
    LOCAL_SCHEDULER: "false",
  });
  // Recorded the way a pipeline would, through the typed client.
  const client = createVigilClient({ url: server.baseUrl, apiKey: API_KEY });
  await client.startOrchestration({ sessionId: "deploy-1", taskDescription: "Build and deploy", totalTasks: 2 });
  await client.startAgentExecution({
    agentSessionId: "deploy-1-be",
    agentName: "backend-agent",
    orchestrationSessionId: "deploy-1",
    taskNumber: 1,
  });
  await client.completeAgentExecution("deploy-1-be", {
    status: "completed",
    filesCreated: 3,
    filesModified: 5,
    retryCount: 0,
    selfHealed: false,
  });
  await client.startAgentExecution({
    agentSessionId: "deploy-1-fe",
    agentName: "frontend-agent",
    orchestrationSessionId: "deploy-1",
    taskNumber: 2,
  });
  await client.completeAgentExecution("deploy-1-fe", {
    status: "failed",
    filesCreated: 0,
    filesModified: 1,
    retryCount: 2,
    selfHealed: false,
    errorMessage: "build failed",
  });
  await client.completeOrchestration("deploy-1", { status: "partial", completedTasks: 1, failedTasks: 1 });
  await client.startOrchestration({ sessionId: "deploy-2", taskDescription: "Second", totalTasks: 4 });
}, 60_000);
afterAll(async () => {
  server?.child.kill("SIGTERM");
  await server?.exited;
  rmSync(dir, { recursive: true, force: true });
});

describe("npm run monitor -- <command>", () => {
  it("list shows a table, --json the data", async () => {
    const table = await cli(["list"]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/SESSION\s+STATUS\s+TASKS/);
    expect(table.stdout).toMatch(/deploy-1\s+partial\s+1\/2 \(1 failed\)/);
    const json = await cli(["list", "--json"]);
    expect(JSON.parse(json.stdout).runs.map((r: { sessionId: string }) => r.sessionId)).toEqual(["deploy-2", "deploy-1"]);
  });

  it("show, executions, agent, health, performance, failures", async () => {
    expect((await cli(["show", "deploy-1"])).stdout).toContain("Executions:  2 (1 completed, 1 failed, 0 running)");
    expect((await cli(["executions", "deploy-1"])).stdout).toMatch(/frontend-agent\s+deploy-1-fe\s+failed/);
    expect((await cli(["agent", "backend-agent"])).stdout).toContain("success 100.0%");
    expect((await cli(["health", "24"])).stdout).toContain("2 total, 0 completed, 0 failed, 1 partial, 1 running");
    expect((await cli(["performance"])).stdout).toMatch(/frontend-agent\s+1\s+0\.0%/);
    expect((await cli(["failures", "5"])).stdout).toMatch(/deploy-1\s+partial\s+50\.0%/);
  });

  it("export writes JSON to stdout and progress to stderr", async () => {
    const all = await cli(["export"]);
    expect(all.code).toBe(0);
    expect(JSON.parse(all.stdout).executions).toHaveLength(2);
    expect(all.stderr).toMatch(/export complete: \d+ bytes/);
    const one = await cli(["export", "deploy-2"]);
    expect(JSON.parse(one.stdout).orchestrations.map((o: { sessionId: string }) => o.sessionId)).toEqual(["deploy-2"]);
  });

  it("alerts lists alerts (a failed run raises run_failed once the heartbeat has run)", async () => {
    await fetch(`${server.baseUrl}/api/cron/heartbeat`, { headers: { authorization: `Bearer ${CRON_SECRET}` } });
    const r = await cli(["alerts", "firing"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/firing\s+critical\s+run_failed\s+session=deploy-1/);
    expect((await cli(["alerts", "--json"])).stdout).toContain('"rule": "run_failed"');
  });

  it("verdicts lists conversation verdicts, filtered by status", async () => {
    const db = createDb({ url: `file:${join(dir, "cli.db")}` });
    const verdict = (sessionId: string, status: "pass" | "fail"): ResultRow => ({
      sessionId,
      activityVersion: 1,
      status,
      attempts: 1,
      analyzedAt: Date.now() - 60_000,
      usage: { tokensIn: 10, tokensOut: 5, costUsd: 0, model: "m" },
      intent: { intent: "book", confidence: 0.9, summary: "book a cleaning" },
      fulfillment: {
        status,
        summary: `${sessionId} ${status}`,
        evidence: [],
        unmet: [],
        quality: { wrong_language: false, off_topic: false, repetitive: status === "fail", failed_to_answer: false, harmful: false },
      },
    });
    await db.batch(
      [unconditional(resultInsert(verdict("call-1", "pass"))), unconditional(resultInsert(verdict("call-2", "fail")))],
      "write",
    );
    db.close();
    const all = await cli(["verdicts"]);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/SESSION\s+STATUS\s+INTENT\s+QUALITY/);
    expect(all.stdout).toMatch(/call-2\s+fail\s+book\s+repetitive/);
    const failed = await cli(["verdicts", "fail", "--json"]);
    expect(JSON.parse(failed.stdout).map((v: { sessionId: string }) => v.sessionId)).toEqual(["call-2"]);
    expect((await cli(["verdicts", "great"])).code).toBe(1);
  });

  it("report prints the stability Markdown", async () => {
    const r = await cli(["report"]);
    expect(r.stdout).toContain("# 24-Hour Stability Monitoring Log");
    // The stored verdicts carry no Langfuse cost: not measured, never $0.
    expect(r.stdout).toMatch(/^\*\*Bot cost:\*\* not measured \(/m);
  });

  it("restart-period starts a new observation period, for every source or one", async () => {
    const r = await cli(["restart-period", "all", "send", "retry", "deployed"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^Observation period of every source restarted at .+ \(send retry deployed\): the verdict is IN PROGRESS until it completes\.$/m,
    );
    const one = await cli(["restart-period", "whatsapp-bot", "--json"]);
    expect(JSON.parse(one.stdout)).toMatchObject({ source: "whatsapp-bot", note: "" });
    expect((await cli(["restart-period"])).code).toBe(1);
  });

  it("cleanup refuses without confirmation and runs with --yes", async () => {
    const refused = await cli(["cleanup", "30"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("--yes");
    const done = await cli(["cleanup", "30", "--yes", "--json"]);
    expect(done.code).toBe(0);
    expect(JSON.parse(done.stdout)).toEqual({ deleted: 0, blocked: [] });
  });

  it("fails clearly: unknown id (4), bad key (3), unreachable (2), bad usage (1)", async () => {
    const missing = await cli(["show", "nope"]);
    expect([missing.code, missing.stderr]).toEqual([4, expect.stringContaining('No run with session id "nope"')]);
    const badKey = await cli(["list"], { VIGIL_API_KEY: "wrong-key-wrong-key-wrong" });
    expect([badKey.code, badKey.stderr]).toEqual([3, expect.stringContaining("refused the API key")]);
    const down = await cli(["list"], { VIGIL_URL: "http://127.0.0.1:9" });
    expect([down.code, down.stderr]).toEqual([2, expect.stringContaining("Cannot reach Vigil at http://127.0.0.1:9")]);
    expect((await cli(["show"])).code).toBe(1);
    expect((await cli(["frobnicate"])).code).toBe(1);
    expect((await cli(["health", "-3"])).code).toBe(1);
  });
});
