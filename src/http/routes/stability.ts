import { Hono } from "hono";
import { z } from "zod";
import type { AppContext } from "../context.js";
import type { ReleaseSide } from "../../regression/releases.js";
import { plainText } from "../../security/control-characters.js";
import { listCheckpoints, type Checkpoint } from "../../stability/checkpoints.js";
import type { ErrorGroup, SlowReplies } from "../../stability/event-details.js";
import { describeStart, restartObservation, type ObservationPeriod } from "../../stability/observation.js";
import type { RedFlag } from "../../stability/red-flags.js";
import { buildStabilityReport } from "../../report/stability-report.js";
import type { LogEntry } from "../../report/report-log.js";
import { renderStabilityMarkdown } from "../../report/report-markdown.js";
import { iso } from "../../time.js";
import type { AppEnv } from "../app-env.js";
import { answer, defineRoute, errorReply, json, validated } from "../contract.js";
import { withIsoTimes } from "../iso-times.js";
import { stabilityAnswers } from "../schemas/stability.js";
import { wholeNumber } from "../schemas/query.js";

const flagJson = (f: RedFlag) => withIsoTimes(f, "at");
const slowJson = (s: SlowReplies) => ({ count: s.count, slowest: s.slowest && withIsoTimes(s.slowest, "at") });
const groupJson = (g: ErrorGroup) => withIsoTimes(g, "firstAt", "lastAt");
// firstAt is the period's bookkeeping, not part of the answer.
const checkpointJson = ({ metrics: { firstAt: _, ...metrics }, ...c }: Checkpoint) => ({
  ...withIsoTimes(c, "windowStart", "windowEnd", "closedAt"),
  metrics: {
    ...withIsoTimes(metrics, "from", "to"),
    slowReplies: slowJson(metrics.slowReplies),
    errorGroups: metrics.errorGroups.map(groupJson),
  },
  redFlags: c.redFlags.map(flagJson),
});
const releaseJson = (r: ReleaseSide | null) => r && withIsoTimes(r, "firstAt");
const logJson = (e: LogEntry) => ({ ...withIsoTimes(e, "windowStart", "windowEnd"), redFlags: e.redFlags.map(flagJson) });
const periodJson = (p: ObservationPeriod) => ({
  source: p.source,
  since: iso(p.since),
  why: describeStart(p),
  lastDelivery: iso(p.lastDelivery),
  observedHours: Math.floor(p.observedMs / 360_000) / 10,
});

const stability = { auth: "apiKey", tag: "Stability" } as const;
const reportQuery = z.object({ hours: wholeNumber(24, 24 * 30), format: z.enum(["json", "markdown"]).default("json") });
const checkpointsQuery = z.object({ limit: wholeNumber(20, 500) });
const restartBody = z.object({
  /** One source; without it, every source and the overall period. */
  source: plainText(z.string().min(1).max(100)).optional(),
  note: plainText(z.string().max(500)).default(""),
});

export const STABILITY_ROUTES = {
  report: defineRoute({
    ...stability,
    method: "GET",
    path: "/api/stability/report",
    summary: "The rolling verdict (JSON or the Markdown monitoring log)",
    request: { query: reportQuery },
    // format=markdown answers the same report as text/markdown.
    responses: { 200: json(() => stabilityAnswers().reportBody, "The report (text/markdown with format=markdown)"), 400: errorReply },
  }),
  checkpoints: defineRoute({
    ...stability,
    method: "GET",
    path: "/api/stability/checkpoints",
    summary: "The 4-hourly checkpoints",
    request: { query: checkpointsQuery },
    responses: { 200: json(() => stabilityAnswers().checkpointsBody), 400: errorReply },
  }),
  restart: defineRoute({
    ...stability,
    method: "POST",
    path: "/api/stability/observation/restart",
    summary: "Restart the observation period (after a fix), for one source or all",
    request: { body: restartBody },
    responses: { 200: json(() => stabilityAnswers().restartBody), 400: errorReply },
  }),
};

export function stabilityRoutes(deps: AppContext) {
  const R = STABILITY_ROUTES;
  return new Hono<AppEnv>()
    .on(R.report.method, R.report.path, validated(R.report), async (c) => {
      const q = c.req.valid("query");
      const report = await buildStabilityReport(deps, deps.clock(), q.hours);
      if (q.format === "markdown") return c.body(renderStabilityMarkdown(report), 200, { "content-type": "text/markdown; charset=utf-8" });
      const { metrics } = report;
      return answer(c, R.report, 200, {
        start: iso(report.start),
        end: iso(report.end),
        hours: report.hours,
        status: report.status,
        productionReady: report.productionReady,
        observation: {
          ...periodJson(report.observation),
          requiredHours: report.observation.requiredMs / 3600_000,
          complete: report.observation.complete,
          sources: report.observation.sources.map(periodJson),
        },
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
        slowReplies: slowJson(metrics.slowReplies),
        errors: metrics.errorGroups.map(groupJson),
        checks: report.checks,
        redFlags: report.redFlags.map(flagJson),
        log: report.log.map(logJson),
        recommendations: report.recommendations,
        qualityChecks: report.qualityChecks,
        releases: {
          current: releaseJson(report.releases.current),
          previous: releaseJson(report.releases.previous),
          comparisons: report.releases.comparisons,
        },
        cost: { ...report.cost, hourly: report.cost.hourly.map((h) => withIsoTimes(h, "hour")) },
        labels: report.labels,
      });
    })
    .on(R.checkpoints.method, R.checkpoints.path, validated(R.checkpoints), async (c) => {
      const checkpoints = await listCheckpoints(deps.db, { limit: c.req.valid("query").limit });
      return answer(c, R.checkpoints, 200, { checkpoints: checkpoints.map(checkpointJson) });
    })
    .on(R.restart.method, R.restart.path, validated(R.restart), async (c) => {
      const body = c.req.valid("json");
      const restarted = { at: deps.clock(), source: body.source ?? null, note: body.note };
      await restartObservation(deps.db, restarted);
      deps.log.info("observation restarted", { source: restarted.source });
      return answer(c, R.restart, 200, { restarted: withIsoTimes(restarted, "at") });
    });
}
