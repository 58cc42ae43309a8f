import { Hono } from "hono";
import type { z } from "zod";
import type { Deps } from "../../deps.js";
import { NotFoundError } from "../../errors.js";
import { exportStream } from "../../runs/export.js";
import { agentDetail, failedRuns, healthStats, listRuns, performanceStats, runExecutions, runWithExecutions } from "../../runs/queries.js";
import { completeExecution, completeRun, reportProgress, startExecution, startRun } from "../../runs/recording.js";
import { buildRunReport } from "../../runs/report.js";
import { deleteOldRuns } from "../../runs/retention.js";
import { completeExecutionBody, completeRunBody, progressBody, startExecutionBody, startRunBody } from "../../runs/schemas.js";
import { executionJson, runJson } from "../../runs/types.js";
import { cleanupQuery, exportQuery, failuresQuery, hoursQuery, runsListQuery } from "../schemas/requests.js";
import type { AppEnv } from "../app-env.js";
import { parseInput } from "../../shared/parse-input.js";
import { readJson } from "../validate.js";

const DAY_MS = 86_400_000;

/** Orchestration and agent-execution tracking: recording, queries, export, cleanup. */
export function runRoutes(deps: Deps) {
  const { db } = deps;
  const body = async <S extends z.ZodType>(schema: S, req: { text(): Promise<string> }) => parseInput(schema, await readJson(req), "body");

  return new Hono<AppEnv>()
    .post("/api/runs", async (c) => {
      const { run, created } = await startRun(db, await body(startRunBody, c.req), deps.clock());
      return c.json({ run: runJson(run) }, created ? 201 : 200);
    })
    .post("/api/runs/:sessionId/progress", async (c) => {
      const run = await reportProgress(db, c.req.param("sessionId"), await body(progressBody, c.req), deps.clock());
      return c.json({ run: runJson(run) });
    })
    .post("/api/runs/:sessionId/complete", async (c) => {
      const run = await completeRun(db, c.req.param("sessionId"), await body(completeRunBody, c.req), deps.clock());
      return c.json({ run: runJson(run) });
    })
    .post("/api/executions", async (c) => {
      const { execution, created } = await startExecution(db, await body(startExecutionBody, c.req), deps.clock());
      return c.json({ execution: executionJson(execution) }, created ? 201 : 200);
    })
    .post("/api/executions/:agentSessionId/complete", async (c) => {
      const execution = await completeExecution(db, c.req.param("agentSessionId"), await body(completeExecutionBody, c.req), deps.clock());
      return c.json({ execution: executionJson(execution) });
    })
    .get("/api/stats/health", async (c) => {
      const { hours } = parseInput(hoursQuery, c.req.query(), "query");
      return c.json({ hours, ...(await healthStats(db, deps.clock() - hours * 3600_000)) });
    })
    .get("/api/stats/performance", async (c) => c.json({ agents: await performanceStats(db) }))
    .get("/api/failures", async (c) => {
      const { limit } = parseInput(failuresQuery, c.req.query(), "query");
      const failures = await failedRuns(db, limit);
      return c.json({ failures: failures.map((f) => ({ ...runJson(f), completionRate: f.completionRate })) });
    })
    .get("/api/runs", async (c) => {
      const q = parseInput(runsListQuery, c.req.query(), "query");
      const page = await listRuns(db, q);
      return c.json({ runs: page.runs.map(runJson), nextCursor: page.nextCursor });
    })
    .delete("/api/runs", async (c) => {
      const { olderThanDays } = parseInput(cleanupQuery, c.req.query(), "query");
      const now = deps.clock();
      return c.json(await deleteOldRuns(db, now - olderThanDays * DAY_MS, now));
    })
    .get("/api/runs/:sessionId", async (c) => {
      const { run, executions } = await runWithExecutions(db, c.req.param("sessionId"));
      const count = (s: string) => executions.filter((e) => e.status === s).length;
      return c.json({
        run: runJson(run),
        executions: { total: executions.length, completed: count("completed"), failed: count("failed"), inProgress: count("in_progress") },
      });
    })
    .get("/api/runs/:sessionId/executions", async (c) => {
      const executions = await runExecutions(db, c.req.param("sessionId"));
      return c.json({ executions: executions.map(executionJson) });
    })
    .get("/api/runs/:sessionId/report", async (c) => {
      const sessionId = c.req.param("sessionId");
      const stored = await db.execute({ sql: "SELECT report FROM run_reports WHERE session_id = ?", args: [sessionId] });
      if (stored.rows[0]) return c.json(JSON.parse(String(stored.rows[0].report)));
      const { run, executions } = await runWithExecutions(db, sessionId);
      return c.json(buildRunReport(run, executions, deps.clock()));
    })
    .get("/api/agents/:name", async (c) => {
      const detail = await agentDetail(db, c.req.param("name"));
      if (!detail) throw new NotFoundError(`No executions for agent "${c.req.param("name")}"`);
      return c.json({ ...detail, recent: detail.recent.map(executionJson) });
    })
    .get("/api/export", async (c) => {
      const { session } = parseInput(exportQuery, c.req.query(), "query");
      const stream = await exportStream(db, deps.clock(), session);
      return new Response(stream, { headers: { "content-type": "application/json; charset=utf-8" } });
    });
}
