import { z } from "zod";
import { lazy } from "../contract.js";

// What the monitoring routes (routes/monitoring.ts) answer. Times are ISO-8601 strings.
// Built on first use (the OpenAPI document, the tests), never at a cold start.
export const monitoringAnswers = lazy(() => {
  const maybeTime = z.string().nullable();
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
    /** The session's page in Langfuse. */
    langfuseUrl: z.string().nullable(),
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
    unreadable: z.number(),
    scoresRefused: z.number(),
  });
  return { resultsBody, sessionBody, reanalyzeBody, monitoringSummaryBody };
});
