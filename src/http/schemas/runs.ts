import { z } from "zod";
import { lazy } from "../contract.js";

// What the run-tracking routes (routes/runs.ts) answer. Times are ISO-8601 strings.
// Built on first use (the OpenAPI document, the tests), never at a cold start.
export const runAnswers = lazy(() => {
  const time = z.string();
  const maybeTime = time.nullable();
  const run = z.strictObject({
    id: z.number(),
    sessionId: z.string(),
    taskDescription: z.string(),
    status: z.enum(["running", "completed", "failed", "partial"]),
    startedAt: maybeTime,
    completedAt: maybeTime,
    durationMs: z.number().nullable(),
    totalTasks: z.number(),
    completedTasks: z.number(),
    failedTasks: z.number(),
    gitCommitHash: z.string().nullable(),
    planFilePath: z.string().nullable(),
    progressFilePath: z.string().nullable(),
    lastProgressAt: maybeTime,
    lastMessage: z.string().nullable(),
    completionSource: z.enum(["reported", "derived"]).nullable(),
    stalledAt: maybeTime,
  });
  const execution = z.strictObject({
    id: z.number(),
    orchestrationId: z.number().nullable(),
    agentSessionId: z.string(),
    agentName: z.string(),
    taskId: z.string().nullable(),
    taskNumber: z.number().nullable(),
    status: z.enum(["in_progress", "completed", "failed"]),
    startedAt: maybeTime,
    completedAt: maybeTime,
    durationMs: z.number().nullable(),
    retryCount: z.number(),
    selfHealed: z.boolean(),
    filesCreated: z.number(),
    filesModified: z.number(),
    errorMessage: z.string().nullable(),
    summaryReportPath: z.string().nullable(),
    sessionLogPath: z.string().nullable(),
  });
  const runBody = z.strictObject({ run });
  const executionBody = z.strictObject({ execution });
  const runsBody = z.strictObject({ runs: z.array(run), nextCursor: z.string().nullable() });
  const runDetailBody = z.strictObject({
    run,
    executions: z.strictObject({ total: z.number(), completed: z.number(), failed: z.number(), inProgress: z.number() }),
  });
  const executionsBody = z.strictObject({ executions: z.array(execution) });
  const runReportBody = z.strictObject({
    sessionId: z.string(),
    taskDescription: z.string(),
    status: z.enum(["running", "completed", "failed", "partial"]),
    completionSource: z.enum(["reported", "derived"]).nullable(),
    startedAt: maybeTime,
    completedAt: maybeTime,
    durationMs: z.number().nullable(),
    tasks: z.strictObject({ total: z.number(), completed: z.number(), failed: z.number(), completionRate: z.number().nullable() }),
    executions: z.number(),
    filesCreated: z.number(),
    filesModified: z.number(),
    retries: z.number(),
    selfHealed: z.number(),
    agents: z.array(
      z.strictObject({
        agentName: z.string(),
        executions: z.number(),
        completed: z.number(),
        failed: z.number(),
        totalDurationMs: z.number(),
      }),
    ),
    failures: z.array(
      z.strictObject({
        agentName: z.string(),
        agentSessionId: z.string(),
        taskId: z.string().nullable(),
        errorMessage: z.string().nullable(),
      }),
    ),
    gitCommitHash: z.string().nullable(),
    generatedAt: time,
  });
  const agentStats = {
    agentName: z.string(),
    runs: z.number(),
    completed: z.number(),
    failed: z.number(),
    successRate: z.number().nullable(),
    minDurationMs: z.number().nullable(),
    maxDurationMs: z.number().nullable(),
    avgDurationMs: z.number().nullable(),
  };
  const agentBody = z.strictObject({ ...agentStats, recent: z.array(execution) });
  const performanceBody = z.strictObject({ agents: z.array(z.strictObject(agentStats)) });
  const statsHealthBody = z.strictObject({
    hours: z.number(),
    orchestrations: z.strictObject({
      total: z.number(),
      completed: z.number(),
      failed: z.number(),
      partial: z.number(),
      running: z.number(),
    }),
    agents: z.strictObject({
      total: z.number(),
      completed: z.number(),
      failed: z.number(),
      inProgress: z.number(),
      successRate: z.number().nullable(),
    }),
    averageDurationMs: z.number().nullable(),
  });
  const failuresBody = z.strictObject({ failures: z.array(run.extend({ completionRate: z.number().nullable() })) });
  const exportBody = z.strictObject({ exportedAt: time, orchestrations: z.array(run), executions: z.array(execution) });
  const cleanupBody = z.strictObject({
    deleted: z.number(),
    blocked: z.array(z.strictObject({ sessionId: z.string(), reason: z.string() })),
  });
  const archiveBody = z.strictObject({
    sessionId: z.string(),
    sha256: z.string(),
    createdAt: maybeTime,
    verifiedAt: maybeTime,
    run,
    executions: z.array(execution),
  });
  return {
    archiveBody,
    runBody,
    executionBody,
    runsBody,
    runDetailBody,
    executionsBody,
    runReportBody,
    agentBody,
    performanceBody,
    statsHealthBody,
    failuresBody,
    exportBody,
    cleanupBody,
  };
});
