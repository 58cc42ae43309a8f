import { Hono } from "hono";
import { z } from "zod";
import type { AppContext } from "../context.js";
import { listResults, monitoringSummary, requestReanalysis, sessionDetail, type Verdict } from "../../monitoring/result-queries.js";
import { withSessionLinks } from "../../monitoring/session-links.js";
import type { AppEnv } from "../app-env.js";
import { answer, defineRoute, errorReply, json, validated } from "../contract.js";
import { withIsoTimes } from "../iso-times.js";
import { monitoringAnswers } from "../schemas/monitoring.js";
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

export const MONITORING_ROUTES = {
  results: defineRoute({
    ...monitoring,
    method: "GET",
    path: "/api/monitoring/results",
    summary: "Conversation verdicts",
    request: { query: resultsQuery },
    responses: { 200: json(() => monitoringAnswers().resultsBody), 400: errorReply },
  }),
  session: defineRoute({
    ...monitoring,
    method: "GET",
    path: "/api/monitoring/sessions/:id",
    summary: "A session's verdicts and diagnosis",
    responses: { 200: json(() => monitoringAnswers().sessionBody), 404: errorReply },
  }),
  reanalyze: defineRoute({
    ...monitoring,
    method: "POST",
    path: "/api/monitoring/sessions/:id/reanalyze",
    summary: "Queue a fresh verdict",
    responses: { 202: json(() => monitoringAnswers().reanalyzeBody), 404: errorReply },
  }),
  summary: defineRoute({
    ...monitoring,
    method: "GET",
    path: "/api/monitoring/summary",
    summary: "Rates by intent, top failure causes",
    request: { query: summaryQuery },
    responses: { 200: json(() => monitoringAnswers().monitoringSummaryBody), 400: errorReply },
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
