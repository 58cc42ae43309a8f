import { Hono } from "hono";
import type { Deps } from "../../deps.js";
import { listCheckpoints, type Checkpoint } from "../../stability/checkpoints.js";
import type { RedFlag } from "../../stability/red-flags.js";
import { buildStabilityReport } from "../../stability/report.js";
import { renderStabilityMarkdown } from "../../stability/report-markdown.js";
import { iso } from "../../time.js";
import type { AppEnv } from "../app-env.js";
import { defineRoute, errorReply, json, validated } from "../contract.js";
import { checkpointsQuery, reportQuery } from "../schemas/requests.js";

const flagJson = (f: RedFlag) => ({ ...f, at: iso(f.at) });
const checkpointJson = (c: Checkpoint) => ({
  windowStart: iso(c.windowStart),
  windowEnd: iso(c.windowEnd),
  closedAt: iso(c.closedAt),
  status: c.status,
  metrics: { ...c.metrics, from: iso(c.metrics.from), to: iso(c.metrics.to), firstAt: undefined },
  redFlags: c.redFlags.map(flagJson),
});

const stability = { auth: "apiKey", tag: "Stability" } as const;

export const STABILITY_ROUTES = {
  report: defineRoute({
    ...stability,
    method: "GET",
    path: "/api/stability/report",
    summary: "The rolling verdict (JSON or the Markdown monitoring log)",
    request: { query: reportQuery },
    // format=markdown answers the same report as text/markdown.
    responses: { 200: json((r) => r.reportBody, "The report (text/markdown with format=markdown)"), 400: errorReply },
  }),
  checkpoints: defineRoute({
    ...stability,
    method: "GET",
    path: "/api/stability/checkpoints",
    summary: "The 4-hourly checkpoints",
    request: { query: checkpointsQuery },
    responses: { 200: json((r) => r.checkpointsBody), 400: errorReply },
  }),
};

export function stabilityRoutes(deps: Deps) {
  const R = STABILITY_ROUTES;
  return new Hono<AppEnv>()
    .on(R.report.method, R.report.path, validated(R.report), async (c) => {
      const q = c.req.valid("query");
      const report = await buildStabilityReport(deps, deps.clock(), q.hours);
      if (q.format === "markdown") return c.body(renderStabilityMarkdown(report), 200, { "content-type": "text/markdown; charset=utf-8" });
      const { metrics } = report;
      return c.json(
        {
          start: iso(report.start),
          end: iso(report.end),
          hours: report.hours,
          status: report.status,
          productionReady: report.productionReady,
          totals: {
            deliveries: metrics.deliveries,
            processed: metrics.processed,
            responses: metrics.responses,
            signaturePassed: metrics.signaturePassed,
            signatureFailures: metrics.signatureFailures,
            signatureFailuresByReason: metrics.signatureFailuresByReason,
            errors: metrics.errors,
            errorsByType: metrics.errorsByType,
          },
          successRate: metrics.successRate,
          errorRate: metrics.errorRate,
          responseTime: metrics.responseTime,
          checks: report.checks,
          redFlags: report.redFlags.map(flagJson),
          checkpoints: report.checkpoints.map(checkpointJson),
          recommendations: report.recommendations,
          qualityChecks: report.qualityChecks,
          labels: report.labels,
        },
        200,
      );
    })
    .on(R.checkpoints.method, R.checkpoints.path, validated(R.checkpoints), async (c) => {
      const checkpoints = await listCheckpoints(deps.db, { limit: c.req.valid("query").limit });
      return c.json({ checkpoints: checkpoints.map(checkpointJson) }, 200);
    });
}
