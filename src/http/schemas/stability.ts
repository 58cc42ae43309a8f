import { z } from "zod";
import { lazy } from "../contract.js";

// What the stability routes (routes/stability.ts) answer. Times are ISO-8601 strings.
// Built on first use (the OpenAPI document, the tests), never at a cold start.
export const stabilityAnswers = lazy(() => {
  const maybeTime = z.string().nullable();
  const counts = z.record(z.string(), z.number());
  const responseTime = z.strictObject({
    count: z.number(),
    avgMs: z.number().nullable(),
    p50Ms: z.number().nullable(),
    p95Ms: z.number().nullable(),
    p99Ms: z.number().nullable(),
    maxMs: z.number().nullable(),
  });
  const redFlag = z.strictObject({ severity: z.enum(["critical", "warning"]), kind: z.string(), at: maybeTime, message: z.string() });
  const slowReplies = z.strictObject({
    count: z.number(),
    slowest: z.strictObject({ latencyMs: z.number(), at: maybeTime, source: z.string(), conversationId: z.string().nullable() }).nullable(),
  });
  const errorGroup = z.strictObject({
    type: z.string(),
    count: z.number(),
    firstAt: maybeTime,
    lastAt: maybeTime,
    conversations: z.number(),
    latestMessage: z.string().nullable(),
  });
  const period = z.strictObject({
    source: z.string().nullable(),
    since: maybeTime,
    why: z.string(),
    lastDelivery: maybeTime,
    observedHours: z.number(),
  });
  const label = z.enum(["yes", "no", "not_measured"]);
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
      // Absent from checkpoints closed before strangers were told apart from the sender.
      signatureProbing: z.strictObject({ failures: z.number(), addresses: counts }).optional(),
      refusedAddresses: counts.optional(),
      errors: z.number(),
      errorsByType: counts,
      eventsByType: counts,
      successRate: z.number().nullable(),
      errorRate: z.number().nullable(),
      responseTime,
      slowReplies,
      errorGroups: z.array(errorGroup),
    }),
    redFlags: z.array(redFlag),
  });
  const logEntry = z.strictObject({
    hour: z.number(),
    windowStart: maybeTime,
    windowEnd: maybeTime,
    deliveries: z.number(),
    processed: z.number(),
    signaturePassed: z.number(),
    signatureFailures: z.number(),
    errors: z.number(),
    errorsByType: counts,
    avgResponseMs: z.number().nullable(),
    p95ResponseMs: z.number().nullable(),
    redFlags: z.array(redFlag),
  });
  const releaseSide = z
    .strictObject({
      release: z.string(),
      firstAt: maybeTime,
      conversations: z.number(),
      versions: z.array(z.string()),
      prompts: z.array(z.string()),
      fulfillmentRate: z.number().nullable(),
      failureRate: z.number().nullable(),
      costPerConversationUsd: z.number().nullable(),
      costPerFulfilledUsd: z.number().nullable(),
      deliveries: z.number(),
      errorRate: z.number().nullable(),
      replies: z.number(),
      p95Ms: z.number().nullable(),
    })
    .nullable();
  const comparison = z.strictObject({
    metric: z.string(),
    scope: z.string(),
    window: z.string(),
    baseline: z.string(),
    now: z.string(),
    effect: z.string(),
    p: z.number(),
    regression: z.boolean(),
  });
  const checkpointsBody = z.strictObject({ checkpoints: z.array(checkpoint) });
  // The bot's cost (null: not measured) beside the judge's, never summed.
  const conversationCost = z.strictObject({
    conversations: z.number(),
    measured: z.number(),
    fulfilled: z.number(),
    botUsd: z.number().nullable(),
    perConversationUsd: z.number().nullable(),
    perFulfilledUsd: z.number().nullable(),
    judgeUsd: z.number(),
  });
  const reportBody = z.strictObject({
    start: maybeTime,
    end: maybeTime,
    hours: z.number(),
    status: z.enum(["STABLE", "NEEDS_ATTENTION", "IN_PROGRESS", "NO_DATA"]),
    productionReady: z.boolean(),
    observation: z.strictObject({
      ...period.shape,
      requiredHours: z.number(),
      complete: z.boolean(),
      sources: z.array(period),
    }),
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
    slowReplies,
    errors: z.array(errorGroup),
    checks: z.array(
      z.strictObject({
        name: z.string(),
        label: z.string(),
        value: z.number().nullable(),
        threshold: z.string(),
        state: z.enum(["pass", "fail", "not_measured"]),
        pass: z.boolean(),
        why: z.string().optional(),
      }),
    ),
    redFlags: z.array(redFlag),
    log: z.array(logEntry),
    recommendations: z.array(z.string()),
    qualityChecks: z.strictObject({
      judged: z.number(),
      counts: z.record(z.string(), z.number()),
      examples: z.record(z.string(), z.array(z.string())),
      rating: z.enum(["appropriate", "needs-improvement"]),
    }),
    // null: no verdict or event in the period named a release (or only one did): not measured.
    releases: z.strictObject({ current: releaseSide, previous: releaseSide, comparisons: z.array(comparison) }),
    cost: z.strictObject({
      ...conversationCost.shape,
      hourly: z.array(z.strictObject({ hour: z.string(), ...conversationCost.shape })),
      judgeTodayUsd: z.number(),
    }),
    labels: z.strictObject({
      stable: label,
      secure: label,
      performant: label,
      quality: label,
      notMeasured: z.record(z.string(), z.string()),
    }),
  });
  const restartBody = z.strictObject({ restarted: z.strictObject({ at: maybeTime, source: z.string().nullable(), note: z.string() }) });
  return { checkpointsBody, reportBody, restartBody };
});
