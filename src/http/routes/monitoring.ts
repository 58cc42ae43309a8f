import { Hono } from "hono";
import type { Deps } from "../../deps.js";
import { listResults, monitoringSummary, requestReanalysis, sessionDetail } from "../../monitoring/queries.js";
import type { AppEnv } from "../app-env.js";
import { defineRoute, errorReply, json, validated } from "../contract.js";
import { resultsQuery, summaryQuery } from "../schemas/requests.js";

const monitoring = { auth: "apiKey", tag: "Monitoring" } as const;

export const MONITORING_ROUTES = {
  results: defineRoute({
    ...monitoring,
    method: "GET",
    path: "/api/monitoring/results",
    summary: "Conversation verdicts",
    request: { query: resultsQuery },
    responses: { 200: json((r) => r.resultsBody), 400: errorReply },
  }),
  session: defineRoute({
    ...monitoring,
    method: "GET",
    path: "/api/monitoring/sessions/:id",
    summary: "A session's verdicts and diagnosis",
    responses: { 200: json((r) => r.sessionBody), 404: errorReply },
  }),
  reanalyze: defineRoute({
    ...monitoring,
    method: "POST",
    path: "/api/monitoring/sessions/:id/reanalyze",
    summary: "Queue a fresh verdict",
    responses: { 202: json((r) => r.reanalyzeBody), 404: errorReply },
  }),
  summary: defineRoute({
    ...monitoring,
    method: "GET",
    path: "/api/monitoring/summary",
    summary: "Rates by intent, top failure causes",
    request: { query: summaryQuery },
    responses: { 200: json((r) => r.monitoringSummaryBody), 400: errorReply },
  }),
};

export function monitoringRoutes(deps: Deps) {
  const R = MONITORING_ROUTES;
  return new Hono<AppEnv>()
    .on(R.results.method, R.results.path, validated(R.results), async (c) => c.json(await listResults(deps.db, c.req.valid("query")), 200))
    .on(R.session.method, R.session.path, async (c) => c.json(await sessionDetail(deps.db, c.req.param("id")), 200))
    .on(R.reanalyze.method, R.reanalyze.path, async (c) => c.json(await requestReanalysis(deps.db, c.req.param("id"), deps.clock()), 202))
    .on(R.summary.method, R.summary.path, validated(R.summary), async (c) => {
      const { hours } = c.req.valid("query");
      return c.json({ hours, ...(await monitoringSummary(deps.db, deps.clock() - hours * 3600_000)) }, 200);
    });
}
