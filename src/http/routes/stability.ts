import { Hono } from "hono";
import { z } from "zod";
import type { Deps } from "../../deps.js";
import { listCheckpoints, type Checkpoint } from "../../stability/checkpoints.js";
import type { RedFlag } from "../../stability/red-flags.js";
import { buildStabilityReport } from "../../stability/report.js";
import { renderStabilityMarkdown } from "../../stability/report-markdown.js";
import { iso } from "../../time.js";
import type { AppEnv } from "../app-env.js";
import { defineRoute, errorReply, json, lazy, validated } from "../contract.js";
import { wholeNumber } from "../schemas/query.js";

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
const reportQuery = z.object({ hours: wholeNumber(24, 24 * 30), format: z.enum(["json", "markdown"]).default("json") });
const checkpointsQuery = z.object({ limit: wholeNumber(20, 500) });

// Built on first use (the OpenAPI document, the tests), never at a cold start.
const answers = lazy(() => {
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
  return { checkpointsBody, reportBody };
});

export const STABILITY_ROUTES = {
  report: defineRoute({
    ...stability,
    method: "GET",
    path: "/api/stability/report",
    summary: "The rolling verdict (JSON or the Markdown monitoring log)",
    request: { query: reportQuery },
    // format=markdown answers the same report as text/markdown.
    responses: { 200: json(() => answers().reportBody, "The report (text/markdown with format=markdown)"), 400: errorReply },
  }),
  checkpoints: defineRoute({
    ...stability,
    method: "GET",
    path: "/api/stability/checkpoints",
    summary: "The 4-hourly checkpoints",
    request: { query: checkpointsQuery },
    responses: { 200: json(() => answers().checkpointsBody), 400: errorReply },
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
