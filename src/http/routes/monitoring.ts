import { Hono } from "hono";
import { z } from "zod";
import type { AppContext } from "../context.js";
import { listResults, monitoringSummary, requestReanalysis, sessionDetail, type Verdict } from "../../monitoring/result-queries.js";
import { withSessionLinks } from "../../monitoring/session-links.js";
import type { AppEnv } from "../app-env.js";
import { answer, defineRoute, errorReply, json, lazy, validated } from "../contract.js";
import { withIsoTimes } from "../iso-times.js";
import { isoTime, wholeNumber } from "../schemas/query.js";

const verdictJson = ({ verifier, diagnosis, ...v }: Verdict) => ({
  ...withIsoTimes(v, "analyzedAt", "scoresWrittenAt"),
  verifier: verifier && withIsoTimes(verifier, "retryAt"),
  diagnosis: diagnosis && withIsoTimes(diagnosis, "diagnosedAt"),
});

const monitoring = { auth: "apiKey", tag: "Monitoring" } as const;
const resultsQuery = z.object({
  status: z.enum(["pass", "fail", "partial", "error", "skipped"]).optional(),
  intent: z.string().min(1).max(100).optional(),
  since: isoTime.optional(),
  limit: wholeNumber(50, 500),
  cursor: z.string().max(200).optional(),
});
const summaryQuery = z.object({ hours: wholeNumber(24, 24 * 90) });

// Built on first use (the OpenAPI document, the tests), never at a cold start.
const answers = lazy(() => {
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

export const MONITORING_ROUTES = {
  results: defineRoute({
    ...monitoring,
    method: "GET",
    path: "/api/monitoring/results",
    summary: "Conversation verdicts",
    request: { query: resultsQuery },
    responses: { 200: json(() => answers().resultsBody), 400: errorReply },
  }),
  session: defineRoute({
    ...monitoring,
    method: "GET",
    path: "/api/monitoring/sessions/:id",
    summary: "A session's verdicts and diagnosis",
    responses: { 200: json(() => answers().sessionBody), 404: errorReply },
  }),
  reanalyze: defineRoute({
    ...monitoring,
    method: "POST",
    path: "/api/monitoring/sessions/:id/reanalyze",
    summary: "Queue a fresh verdict",
    responses: { 202: json(() => answers().reanalyzeBody), 404: errorReply },
  }),
  summary: defineRoute({
    ...monitoring,
    method: "GET",
    path: "/api/monitoring/summary",
    summary: "Rates by intent, top failure causes",
    request: { query: summaryQuery },
    responses: { 200: json(() => answers().monitoringSummaryBody), 400: errorReply },
  }),
};

export function monitoringRoutes(deps: AppContext) {
  const R = MONITORING_ROUTES;
  return new Hono<AppEnv>()
    .on(R.results.method, R.results.path, validated(R.results), async (c) => {
      const page = await listResults(deps.db, c.req.valid("query"));
      const results = await withSessionLinks(page.results.map(verdictJson), deps.monitoring?.links);
      return answer(c, R.results, 200, { results, nextCursor: page.nextCursor });
    })
    .on(R.session.method, R.session.path, async (c) => {
      const detail = await sessionDetail(deps.db, c.req.param("id"));
      const verdicts = await withSessionLinks(detail.verdicts.map(verdictJson), deps.monitoring?.links);
      return answer(c, R.session, 200, { ...withIsoTimes(detail, "firstActivityAt", "lastActivityAt"), verdicts });
    })
    .on(R.reanalyze.method, R.reanalyze.path, async (c) =>
      answer(c, R.reanalyze, 202, await requestReanalysis(deps.db, c.req.param("id"), deps.clock())),
    )
    .on(R.summary.method, R.summary.path, validated(R.summary), async (c) => {
      const { hours } = c.req.valid("query");
      return answer(c, R.summary, 200, { hours, ...(await monitoringSummary(deps.db, deps.clock() - hours * 3600_000)) });
    });
}
