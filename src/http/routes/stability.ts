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
import { answer, defineRoute, errorReply, json, lazy, validated } from "../contract.js";
import { withIsoTimes } from "../iso-times.js";
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
  restart: defineRoute({
    ...stability,
    method: "POST",
    path: "/api/stability/observation/restart",
    summary: "Restart the observation period (after a fix), for one source or all",
    request: { body: restartBody },
    responses: { 200: json(() => answers().restartBody), 400: errorReply },
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
