import { z } from "zod";

// What the API answers, checked against real responses in the tests (strict: a field a route
// returns but does not declare fails them). Times are ISO-8601 strings. Built on first use
// (the OpenAPI document, the tests), not at a cold start: constructing ~270 zod schemas was
// the largest part of one.

let built: ResponseSchemas | undefined;
export const responseSchemas = (): ResponseSchemas => (built ??= buildResponseSchemas());
export type ResponseSchemas = ReturnType<typeof buildResponseSchemas>;

function buildResponseSchemas() {
  const time = z.string();
  const maybeTime = time.nullable();
  const labels = z.record(z.string(), z.string());
  const counts = z.record(z.string(), z.number());

  const errorBody = z.strictObject({
    error: z.strictObject({
      code: z.string(),
      message: z.string(),
      requestId: z.string(),
      problems: z.array(z.strictObject({ field: z.string(), message: z.string() })).optional(),
    }),
  });

  const healthBody = z.strictObject({
    status: z.enum(["ok", "stale", "down"]),
    db: z.enum(["ok", "unreachable", "schema_behind", "unwritable"]),
    lastHeartbeatAt: maybeTime,
    heartbeatAgeSeconds: z.number().nullable(),
    version: z.string(),
    reason: z.string().optional(),
  });

  // A job's summary is its own (JobSummary is an open record): the one deliberately open answer.
  const cronBody = z.looseObject({ job: z.string(), runId: z.string(), skipped: z.enum(["locked", "already_ran"]).optional() });

  const jobRun = z.strictObject({
    id: z.string(),
    job: z.string(),
    startedAt: maybeTime,
    finishedAt: maybeTime,
    status: z.string(),
    durationMs: z.number().nullable(),
    summary: z.unknown(),
    error: z.string().nullable(),
  });
  const jobsBody = z.strictObject({
    jobs: z.array(
      z.strictObject({
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

  const webhookBody = z.strictObject({ received: z.literal(true), id: z.string(), type: z.string(), duplicate: z.boolean() });

  const responseTime = z.strictObject({
    count: z.number(),
    avgMs: z.number().nullable(),
    p50Ms: z.number().nullable(),
    p95Ms: z.number().nullable(),
    p99Ms: z.number().nullable(),
    maxMs: z.number().nullable(),
  });
  const redFlag = z.strictObject({ severity: z.enum(["critical", "warning"]), kind: z.string(), at: maybeTime, message: z.string() });
  const checkpoint = z.strictObject({
    windowStart: maybeTime,
    windowEnd: maybeTime,
    closedAt: maybeTime,
    status: z.enum(["ok", "warning", "critical"]),
    metrics: z.strictObject({
      from: maybeTime,
      to: maybeTime,
      deliveries: z.number(),
      processed: z.number(),
      responses: z.number(),
      signaturePassed: z.number(),
      signatureFailures: z.number(),
      signatureFailuresByReason: counts,
      errors: z.number(),
      errorsByType: counts,
      eventsByType: counts,
      successRate: z.number().nullable(),
      errorRate: z.number().nullable(),
      responseTime,
    }),
    redFlags: z.array(redFlag),
  });
  const checkpointsBody = z.strictObject({ checkpoints: z.array(checkpoint) });
  const reportBody = z.strictObject({
    start: maybeTime,
    end: maybeTime,
    hours: z.number(),
    status: z.enum(["STABLE", "NEEDS_ATTENTION", "NO_DATA"]),
    productionReady: z.boolean(),
    totals: z.strictObject({
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
      z.strictObject({ name: z.string(), label: z.string(), value: z.number().nullable(), threshold: z.string(), pass: z.boolean() }),
    ),
    redFlags: z.array(redFlag),
    checkpoints: z.array(checkpoint),
    recommendations: z.array(z.string()),
    qualityChecks: z.strictObject({
      judged: z.number(),
      counts: z.record(z.string(), z.number()),
      examples: z.record(z.string(), z.array(z.string())),
      rating: z.enum(["appropriate", "needs-improvement"]),
    }),
    labels: z.strictObject({ secure: z.boolean(), performant: z.boolean(), quality: z.enum(["stable", "issues"]) }),
  });

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

  const verifierCheck = z
    .strictObject({
      status: z.enum(["verified", "not_found", "unavailable"]),
      detail: z.string().nullable(),
      attempts: z.number(),
      retryAt: maybeTime,
    })
    .nullable();
  const verdict = z.strictObject({
    id: z.number(),
    sessionId: z.string(),
    version: z.number(),
    intent: z.strictObject({ type: z.string(), confidence: z.number(), summary: z.string().nullable() }).nullable(),
    status: z.enum(["pass", "fail", "partial", "error", "skipped"]),
    summary: z.string().nullable(),
    evidence: z.array(z.string()).nullable(),
    unmet: z.array(z.string()).nullable(),
    // The judge's flags by name (wrong language, off-topic, injection attempt…).
    quality: z.record(z.string(), z.boolean().nullable()).nullable(),
    verifier: verifierCheck,
    diagnosis: z
      .strictObject({ status: z.string(), report: z.record(z.string(), z.unknown()).nullable(), diagnosedAt: maybeTime })
      .nullable(),
    analyzedAt: maybeTime,
    model: z.string().nullable(),
    tokens: z.strictObject({ in: z.number(), out: z.number() }),
    costUsd: z.number(),
    attempts: z.number(),
    error: z.string().nullable(),
    scoresWrittenAt: maybeTime,
  });
  const resultsBody = z.strictObject({ results: z.array(verdict), nextCursor: z.string().nullable() });
  const sessionBody = z.strictObject({
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
  const reanalyzeBody = z.strictObject({ sessionId: z.string(), queued: z.boolean() });
  const monitoringSummaryBody = z.strictObject({
    hours: z.number(),
    totals: z.record(z.string(), z.number()),
    passRate: z.number().nullable(),
    failRate: z.number().nullable(),
    partialRate: z.number().nullable(),
    // Counts by verdict status (only the statuses seen), then the rates.
    byIntent: z.array(
      z.strictObject({
        intent: z.string(),
        pass: z.number().optional(),
        fail: z.number().optional(),
        partial: z.number().optional(),
        error: z.number().optional(),
        skipped: z.number().optional(),
        passRate: z.number().nullable(),
        failRate: z.number().nullable(),
        partialRate: z.number().nullable(),
      }),
    ),
    topFailureCategories: z.array(z.strictObject({ category: z.string(), count: z.number() })),
    verifier: z.strictObject({ verified: z.number(), not_found: z.number(), unavailable: z.number() }),
  });

  const alert = z.strictObject({
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
  const alertsBody = z.strictObject({ alerts: z.array(alert) });
  const alertDetailBody = alert.extend({
    transitions: z.array(z.strictObject({ from: z.unknown(), to: z.string(), reason: z.string(), at: maybeTime })),
    notifications: z.array(
      z.strictObject({
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
  const silence = z.strictObject({ id: z.number(), matchers: labels, startsAt: maybeTime, endsAt: maybeTime, comment: z.string() });
  const silencesBody = z.strictObject({ silences: z.array(silence) });
  const silenceBody = z.strictObject({ silence });
  const expiredBody = z.strictObject({ expired: z.literal(true) });
  const openApiBody = z.strictObject({
    openapi: z.string(),
    info: z.strictObject({ title: z.string(), version: z.string(), description: z.string() }),
    components: z.record(z.string(), z.unknown()),
    paths: z.record(z.string(), z.unknown()),
    webhooks: z.record(z.string(), z.unknown()),
  });
  return {
    errorBody,
    healthBody,
    cronBody,
    jobsBody,
    webhookBody,
    checkpointsBody,
    reportBody,
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
    resultsBody,
    sessionBody,
    reanalyzeBody,
    monitoringSummaryBody,
    alertsBody,
    alertDetailBody,
    silencesBody,
    silenceBody,
    expiredBody,
    openApiBody,
  };
}
