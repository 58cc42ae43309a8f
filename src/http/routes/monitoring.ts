import { Hono } from "hono";
import type { Deps } from "../../deps.js";
import { listResults, monitoringSummary, requestReanalysis, sessionDetail } from "../../monitoring/queries.js";
import { resultsQuery, summaryQuery } from "../schemas/requests.js";
import type { AppEnv } from "../app-env.js";
import { parseInput } from "../../shared/parse-input.js";

export function monitoringRoutes(deps: Deps) {
  return new Hono<AppEnv>()
    .get("/api/monitoring/results", async (c) => c.json(await listResults(deps.db, parseInput(resultsQuery, c.req.query(), "query"))))
    .get("/api/monitoring/sessions/:id", async (c) => c.json(await sessionDetail(deps.db, c.req.param("id"))))
    .post("/api/monitoring/sessions/:id/reanalyze", async (c) =>
      c.json(await requestReanalysis(deps.db, c.req.param("id"), deps.clock()), 202),
    )
    .get("/api/monitoring/summary", async (c) => {
      const { hours } = parseInput(summaryQuery, c.req.query(), "query");
      return c.json({ hours, ...(await monitoringSummary(deps.db, deps.clock() - hours * 3600_000)) });
    });
}
