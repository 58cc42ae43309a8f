import { Hono } from "hono";
import { z } from "zod";
import type { AppContext } from "../context.js";
import { NotFoundError } from "../../errors.js";
import { readRunArchive } from "../../runs/archive-read.js";
import { exportStream } from "../../runs/export.js";
import { performanceStats } from "../../runs/store/agent-stats.js";
import { agentDetail, failedRuns, healthStats, listRuns, runExecutions, runWithExecutions } from "../../runs/run-queries.js";
import { completeExecution, completeRun, reportProgress, startExecution, startRun } from "../../runs/recording.js";
import { runReport } from "../../runs/run-report.js";
import { deleteOldRuns } from "../../runs/retention.js";
import { completeExecutionBody, completeRunBody, progressBody, startExecutionBody, startRunBody } from "../../runs/schemas.js";
import type { Execution, Run } from "../../runs/types.js";
import { iso } from "../../time.js";
import type { AppEnv } from "../app-env.js";
import { answer, defineRoute, errorReply, json, validated } from "../contract.js";
import { withIsoTimes } from "../iso-times.js";
import { countingNumber, wholeNumber } from "../schemas/query.js";
import { runAnswers } from "../schemas/runs.js";

const runJson = (r: Run) => withIsoTimes(r, "startedAt", "completedAt", "lastProgressAt", "stalledAt");
const executionJson = (e: Execution) => withIsoTimes(e, "startedAt", "completedAt");

const exportShapes = { exportedAt: (now: number) => iso(now), run: runJson, execution: executionJson };

const DAY_MS = 86_400_000;

const hoursQuery = z.object({ hours: wholeNumber(24, 24 * 365) });
const failuresQuery = z.object({ limit: wholeNumber(10, 500) });
const runsListQuery = z.object({
  status: z.enum(["running", "completed", "failed", "partial"]).optional(),
  limit: wholeNumber(50, 500),
  cursor: z.string().max(200).optional(),
});
const cleanupQuery = z.object({ olderThanDays: countingNumber(3650) });
const exportQuery = z.object({ session: z.string().min(1).max(200).optional() });
const runs = { auth: "apiKey", tag: "Runs" } as const;
const refused = { 400: errorReply, 404: errorReply, 409: errorReply };

/** Orchestration and agent-execution tracking: recording, queries, export, cleanup. */
export const RUN_ROUTES = {
  startRun: defineRoute({
    ...runs,
    method: "POST",
    path: "/api/runs",
    summary: "Start a run (idempotent)",
    request: { body: startRunBody },
    responses: { 200: json(() => runAnswers().runBody), 201: json(() => runAnswers().runBody), 400: errorReply, 409: errorReply },
  }),
  listRuns: defineRoute({
    ...runs,
    method: "GET",
    path: "/api/runs",
    summary: "Runs, newest first, keyset-paged",
    request: { query: runsListQuery },
    responses: { 200: json(() => runAnswers().runsBody), 400: errorReply },
  }),
  cleanup: defineRoute({
    ...runs,
    method: "DELETE",
    path: "/api/runs",
    summary: "Delete finished runs older than N days whose archive verifies",
    request: { query: cleanupQuery },
    responses: { 200: json(() => runAnswers().cleanupBody), 400: errorReply },
  }),
  progress: defineRoute({
    ...runs,
    method: "POST",
    path: "/api/runs/:sessionId/progress",
    summary: "Report progress",
    request: { body: progressBody },
    responses: { 200: json(() => runAnswers().runBody), ...refused },
  }),
  completeRun: defineRoute({
    ...runs,
    method: "POST",
    path: "/api/runs/:sessionId/complete",
    summary: "Complete a run (idempotent)",
    request: { body: completeRunBody },
    responses: { 200: json(() => runAnswers().runBody), ...refused },
  }),
  run: defineRoute({
    ...runs,
    method: "GET",
    path: "/api/runs/:sessionId",
    summary: "One run",
    responses: { 200: json(() => runAnswers().runDetailBody), 404: errorReply },
  }),
  executions: defineRoute({
    ...runs,
    method: "GET",
    path: "/api/runs/:sessionId/executions",
    summary: "A run's agent executions",
    responses: { 200: json(() => runAnswers().executionsBody), 404: errorReply },
  }),
  report: defineRoute({
    ...runs,
    method: "GET",
    path: "/api/runs/:sessionId/report",
    summary: "A run's summary report",
    responses: { 200: json(() => runAnswers().runReportBody), 404: errorReply },
  }),
  archive: defineRoute({
    ...runs,
    method: "GET",
    path: "/api/runs/:sessionId/archive",
    summary: "A finished run's verified archive, kept after the run itself is deleted",
    responses: { 200: json(() => runAnswers().archiveBody), 404: errorReply, 409: errorReply },
  }),
  startExecution: defineRoute({
    ...runs,
    method: "POST",
    path: "/api/executions",
    summary: "Start an agent execution (idempotent)",
    request: { body: startExecutionBody },
    responses: { 200: json(() => runAnswers().executionBody), 201: json(() => runAnswers().executionBody), ...refused },
  }),
  completeExecution: defineRoute({
    ...runs,
    method: "POST",
    path: "/api/executions/:agentSessionId/complete",
    summary: "Complete an agent execution (idempotent)",
    request: { body: completeExecutionBody },
    responses: { 200: json(() => runAnswers().executionBody), ...refused },
  }),
  healthStats: defineRoute({
    ...runs,
    method: "GET",
    path: "/api/stats/health",
    summary: "Health over N hours",
    request: { query: hoursQuery },
    responses: { 200: json(() => runAnswers().statsHealthBody), 400: errorReply },
  }),
  performance: defineRoute({
    ...runs,
    method: "GET",
    path: "/api/stats/performance",
    summary: "Per-agent performance",
    responses: { 200: json(() => runAnswers().performanceBody) },
  }),
  failures: defineRoute({
    ...runs,
    method: "GET",
    path: "/api/failures",
    summary: "Failed runs",
    request: { query: failuresQuery },
    responses: { 200: json(() => runAnswers().failuresBody), 400: errorReply },
  }),
  agent: defineRoute({
    ...runs,
    method: "GET",
    path: "/api/agents/:name",
    summary: "One agent",
    responses: { 200: json(() => runAnswers().agentBody), 404: errorReply },
  }),
  exportAll: defineRoute({
    ...runs,
    method: "GET",
    path: "/api/export",
    summary: "Everything (or one run) as streamed JSON",
    request: { query: exportQuery },
    responses: { 200: json(() => runAnswers().exportBody), 400: errorReply, 404: errorReply },
  }),
};

export function runRoutes(deps: AppContext) {
  const { db } = deps;
  const R = RUN_ROUTES;
  return new Hono<AppEnv>()
    .on(R.startRun.method, R.startRun.path, validated(R.startRun), async (c) => {
      const { run, created } = await startRun(db, c.req.valid("json"), deps.clock());
      return answer(c, R.startRun, created ? 201 : 200, { run: runJson(run) });
    })
    .on(R.progress.method, R.progress.path, validated(R.progress), async (c) => {
      const run = await reportProgress(db, c.req.param("sessionId"), c.req.valid("json"), deps.clock());
      return answer(c, R.progress, 200, { run: runJson(run) });
    })
    .on(R.completeRun.method, R.completeRun.path, validated(R.completeRun), async (c) => {
      const run = await completeRun(db, c.req.param("sessionId"), c.req.valid("json"), deps.clock());
      return answer(c, R.completeRun, 200, { run: runJson(run) });
    })
    .on(R.startExecution.method, R.startExecution.path, validated(R.startExecution), async (c) => {
      const { execution, created } = await startExecution(db, c.req.valid("json"), deps.clock());
      return answer(c, R.startExecution, created ? 201 : 200, { execution: executionJson(execution) });
    })
    .on(R.completeExecution.method, R.completeExecution.path, validated(R.completeExecution), async (c) => {
      const execution = await completeExecution(db, c.req.param("agentSessionId"), c.req.valid("json"), deps.clock());
      return answer(c, R.completeExecution, 200, { execution: executionJson(execution) });
    })
    .on(R.healthStats.method, R.healthStats.path, validated(R.healthStats), async (c) => {
      const { hours } = c.req.valid("query");
      return answer(c, R.healthStats, 200, { hours, ...(await healthStats(db, deps.clock() - hours * 3600_000)) });
    })
    .on(R.performance.method, R.performance.path, async (c) => answer(c, R.performance, 200, { agents: await performanceStats(db) }))
    .on(R.failures.method, R.failures.path, validated(R.failures), async (c) => {
      const failures = await failedRuns(db, c.req.valid("query").limit);
      return answer(c, R.failures, 200, { failures: failures.map((f) => ({ ...runJson(f), completionRate: f.completionRate })) });
    })
    .on(R.listRuns.method, R.listRuns.path, validated(R.listRuns), async (c) => {
      const page = await listRuns(db, c.req.valid("query"));
      return answer(c, R.listRuns, 200, { runs: page.runs.map(runJson), nextCursor: page.nextCursor });
    })
    .on(R.cleanup.method, R.cleanup.path, validated(R.cleanup), async (c) => {
      const now = deps.clock();
      return answer(c, R.cleanup, 200, await deleteOldRuns(db, now - c.req.valid("query").olderThanDays * DAY_MS, now));
    })
    .on(R.run.method, R.run.path, async (c) => {
      const { run, executions } = await runWithExecutions(db, c.req.param("sessionId"));
      const count = (s: string) => executions.filter((e) => e.status === s).length;
      return answer(c, R.run, 200, {
        run: runJson(run),
        executions: {
          total: executions.length,
          completed: count("completed"),
          failed: count("failed"),
          inProgress: count("in_progress"),
        },
      });
    })
    .on(R.executions.method, R.executions.path, async (c) => {
      const executions = await runExecutions(db, c.req.param("sessionId"));
      return answer(c, R.executions, 200, { executions: executions.map(executionJson) });
    })
    .on(R.report.method, R.report.path, async (c) => answer(c, R.report, 200, await runReport(db, c.req.param("sessionId"), deps.clock())))
    .on(R.archive.method, R.archive.path, async (c) => {
      const a = await readRunArchive(db, c.req.param("sessionId"));
      return answer(c, R.archive, 200, {
        ...withIsoTimes(a, "createdAt", "verifiedAt"),
        run: runJson(a.run),
        executions: a.executions.map(executionJson),
      });
    })
    .on(R.agent.method, R.agent.path, async (c) => {
      const detail = await agentDetail(db, c.req.param("name"));
      if (!detail) throw new NotFoundError(`No executions for agent "${c.req.param("name")}"`);
      return answer(c, R.agent, 200, { ...detail, recent: detail.recent.map(executionJson) });
    })
    .on(R.exportAll.method, R.exportAll.path, validated(R.exportAll), async (c) => {
      const stream = await exportStream(db, deps.clock(), exportShapes, c.req.valid("query").session);
      return new Response(stream, { headers: { "content-type": "application/json; charset=utf-8" } });
    });
}
