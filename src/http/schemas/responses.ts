import { z } from "zod";

// What the API answers, declared once for the OpenAPI document and checked against real
// responses in the tests. Times are ISO-8601 strings.

const time = z.string();
const maybeTime = time.nullable();
const labels = z.record(z.string(), z.string());

export const errorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    requestId: z.string(),
    problems: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  }),
});

export const healthBody = z.object({
  status: z.enum(["ok", "stale", "down"]),
  db: z.enum(["ok", "unreachable", "schema_behind", "unwritable"]),
  lastHeartbeatAt: maybeTime,
  heartbeatAgeSeconds: z.number().nullable(),
  version: z.string(),
  reason: z.string().optional(),
});

export const cronBody = z.looseObject({ job: z.string(), runId: z.string(), skipped: z.enum(["locked", "already_ran"]).optional() });

const jobRun = z.object({
  id: z.string(),
  job: z.string(),
  startedAt: maybeTime,
  finishedAt: maybeTime,
  status: z.string(),
  durationMs: z.number().nullable(),
  summary: z.unknown(),
  error: z.string().nullable(),
});
export const jobsBody = z.object({
  jobs: z.array(
    z.object({
      job: z.string(),
      schedule: z.string(),
      lastRunAt: maybeTime,
      lastStatus: z.string().nullable(),
      missedIntervals: z.number(),
      missed: z.boolean(),
      recent: z.array(jobRun),
    }),
  ),
});

export const webhookBody = z.object({ received: z.literal(true), id: z.string(), type: z.string(), duplicate: z.boolean() });

const responseTime = z.object({
  count: z.number(),
  avgMs: z.number().nullable(),
  p50Ms: z.number().nullable(),
  p95Ms: z.number().nullable(),
  p99Ms: z.number().nullable(),
  maxMs: z.number().nullable(),
});
const redFlag = z.object({ severity: z.enum(["critical", "warning"]), kind: z.string(), at: maybeTime, message: z.string() });
const checkpoint = z.object({
  windowStart: maybeTime,
  windowEnd: maybeTime,
  closedAt: maybeTime,
  status: z.enum(["ok", "warning", "critical"]),
  metrics: z.looseObject({ deliveries: z.number(), processed: z.number() }),
  redFlags: z.array(redFlag),
});
export const checkpointsBody = z.object({ checkpoints: z.array(checkpoint) });
export const reportBody = z.object({
  start: maybeTime,
  end: maybeTime,
  hours: z.number(),
  status: z.enum(["STABLE", "NEEDS_ATTENTION", "NO_DATA"]),
  productionReady: z.boolean(),
  totals: z.object({
    deliveries: z.number(),
    processed: z.number(),
    responses: z.number(),
    signaturePassed: z.number(),
    signatureFailures: z.number(),
    signatureFailuresByReason: z.record(z.string(), z.number()),
    errors: z.number(),
    errorsByType: z.record(z.string(), z.number()),
  }),
  successRate: z.number().nullable(),
  errorRate: z.number().nullable(),
  responseTime,
  checks: z.array(
    z.object({ name: z.string(), label: z.string(), value: z.number().nullable(), threshold: z.string(), pass: z.boolean() }),
  ),
  redFlags: z.array(redFlag),
  checkpoints: z.array(checkpoint),
  recommendations: z.array(z.string()),
  qualityChecks: z.object({
    judged: z.number(),
    counts: z.record(z.string(), z.number()),
    examples: z.record(z.string(), z.array(z.string())),
    rating: z.enum(["appropriate", "needs-improvement"]),
  }),
  labels: z.object({ secure: z.boolean(), performant: z.boolean(), quality: z.enum(["stable", "issues"]) }),
});

const run = z.object({
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
const execution = z.object({
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
export const runBody = z.object({ run });
export const executionBody = z.object({ execution });
export const runsBody = z.object({ runs: z.array(run), nextCursor: z.string().nullable() });
export const runDetailBody = z.object({
  run,
  executions: z.object({ total: z.number(), completed: z.number(), failed: z.number(), inProgress: z.number() }),
});
export const executionsBody = z.object({ executions: z.array(execution) });
export const runReportBody = z.looseObject({
  sessionId: z.string(),
  status: z.string(),
  tasks: z.object({ total: z.number(), completed: z.number(), failed: z.number(), completionRate: z.number().nullable() }),
  executions: z.number(),
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
export const agentBody = z.object({ ...agentStats, recent: z.array(execution) });
export const performanceBody = z.object({ agents: z.array(z.object(agentStats)) });
export const statsHealthBody = z.object({
  hours: z.number(),
  orchestrations: z.object({ total: z.number(), completed: z.number(), failed: z.number(), partial: z.number(), running: z.number() }),
  agents: z.object({
    total: z.number(),
    completed: z.number(),
    failed: z.number(),
    inProgress: z.number(),
    successRate: z.number().nullable(),
  }),
  averageDurationMs: z.number().nullable(),
});
export const failuresBody = z.object({ failures: z.array(run.extend({ completionRate: z.number().nullable() })) });
export const exportBody = z.object({ exportedAt: time, orchestrations: z.array(run), executions: z.array(execution) });
export const cleanupBody = z.object({ deleted: z.number(), blocked: z.array(z.object({ sessionId: z.string(), reason: z.string() })) });

const verifierCheck = z
  .object({
    status: z.enum(["verified", "not_found", "unavailable"]),
    detail: z.string().nullable(),
    attempts: z.number(),
    retryAt: maybeTime,
  })
  .nullable();
const verdict = z.looseObject({
  id: z.number(),
  sessionId: z.string(),
  version: z.number(),
  status: z.enum(["pass", "fail", "partial", "error", "skipped"]),
  verifier: verifierCheck,
  analyzedAt: maybeTime,
});
export const resultsBody = z.object({ results: z.array(verdict), nextCursor: z.string().nullable() });
export const sessionBody = z.object({
  sessionId: z.string(),
  state: z.string(),
  firstActivityAt: maybeTime,
  lastActivityAt: maybeTime,
  observations: z.number(),
  traces: z.number(),
  turns: z.number(),
  attempts: z.number(),
  lastError: z.unknown(),
  verdicts: z.array(verdict),
});
export const reanalyzeBody = z.object({ sessionId: z.string(), queued: z.boolean() });
export const monitoringSummaryBody = z.object({
  hours: z.number(),
  totals: z.record(z.string(), z.number()),
  passRate: z.number().nullable(),
  failRate: z.number().nullable(),
  partialRate: z.number().nullable(),
  byIntent: z.array(z.looseObject({ intent: z.string() })),
  topFailureCategories: z.array(z.object({ category: z.string(), count: z.number() })),
  verifier: z.object({ verified: z.number(), not_found: z.number(), unavailable: z.number() }),
});

const alert = z.object({
  id: z.number(),
  rule: z.string(),
  labels,
  severity: z.string(),
  state: z.enum(["pending", "firing", "resolved"]),
  summary: z.string(),
  startedAt: maybeTime,
  firedAt: maybeTime,
  resolvedAt: maybeTime,
  lastNotifiedAt: maybeTime,
  ackedAt: maybeTime,
});
export const alertsBody = z.object({ alerts: z.array(alert) });
export const alertDetailBody = alert.extend({
  transitions: z.array(z.object({ from: z.unknown(), to: z.string(), reason: z.string(), at: maybeTime })),
  notifications: z.array(
    z.object({
      kind: z.string(),
      channel: z.string(),
      createdAt: maybeTime,
      attempts: z.number(),
      sentAt: maybeTime,
      failedAt: maybeTime,
      lastError: z.unknown(),
    }),
  ),
});
const silence = z.object({ id: z.number(), matchers: labels, startsAt: maybeTime, endsAt: maybeTime, comment: z.string() });
export const silencesBody = z.object({ silences: z.array(silence) });
export const silenceBody = z.object({ silence });
export const expiredBody = z.object({ expired: z.literal(true) });
export const openApiBody = z.looseObject({ openapi: z.string(), paths: z.record(z.string(), z.unknown()) });
