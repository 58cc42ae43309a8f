import { Hono } from "hono";
import type { Deps } from "../../deps.js";
import { listCheckpoints, type Checkpoint } from "../../stability/checkpoints.js";
import type { RedFlag } from "../../stability/red-flags.js";
import { buildStabilityReport } from "../../stability/report.js";
import { renderStabilityMarkdown } from "../../stability/report-markdown.js";
import { checkpointsQuery, reportQuery } from "../schemas/requests.js";
import type { AppEnv } from "../app-env.js";
import { iso } from "../../time.js";
import { parseInput } from "../../shared/parse-input.js";

const flagJson = (f: RedFlag) => ({ ...f, at: iso(f.at) });
const checkpointJson = (c: Checkpoint) => ({
  windowStart: iso(c.windowStart),
  windowEnd: iso(c.windowEnd),
  closedAt: iso(c.closedAt),
  status: c.status,
  metrics: { ...c.metrics, from: iso(c.metrics.from), to: iso(c.metrics.to), firstAt: undefined },
  redFlags: c.redFlags.map(flagJson),
});

export function stabilityRoutes(deps: Deps) {
  return new Hono<AppEnv>()
    .get("/api/stability/report", async (c) => {
      const q = parseInput(reportQuery, c.req.query(), "query");
      const report = await buildStabilityReport(deps, deps.clock(), q.hours);
      if (q.format === "markdown") return c.body(renderStabilityMarkdown(report), 200, { "content-type": "text/markdown; charset=utf-8" });
      const { metrics } = report;
      return c.json({
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
      });
    })
    .get("/api/stability/checkpoints", async (c) => {
      const q = parseInput(checkpointsQuery, c.req.query(), "query");
      const checkpoints = await listCheckpoints(deps.db, { limit: q.limit });
      return c.json({ checkpoints: checkpoints.map(checkpointJson) });
    });
}
