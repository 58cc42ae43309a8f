import type { z } from "zod";
import { silenceBody as silenceRequest } from "../../alerts/silences.js";
import { completeExecutionBody, completeRunBody, progressBody, startExecutionBody, startRunBody } from "../../runs/schemas.js";
import { botEventSchema } from "../../stability/events.js";
import * as q from "../schemas/requests.js";
import * as r from "../schemas/responses.js";

export type Auth = "public" | "apiKey" | "cron" | "signature" | "basic";

export interface RouteSpec {
  method: "GET" | "POST" | "DELETE";
  /** Hono's form: /api/runs/:sessionId */
  path: string;
  auth: Auth;
  tag: string;
  summary: string;
  query?: z.ZodType;
  body?: z.ZodType;
  /** Status → schema of the JSON answer, or a media type for other answers. */
  responses: Record<number, z.ZodType | { mediaType: string; description: string }>;
}

const text = (mediaType: string, description: string) => ({ mediaType, description });

/** Every route of the app. A test fails when the app and this table disagree. */
export const ROUTES: RouteSpec[] = [
  {
    method: "GET",
    path: "/api/health",
    auth: "public",
    tag: "Vigil",
    summary: "Liveness and the age of the last heartbeat",
    responses: { 200: r.healthBody, 503: r.healthBody },
  },
  { method: "GET", path: "/api/openapi.json", auth: "apiKey", tag: "Vigil", summary: "This document", responses: { 200: r.openApiBody } },
  {
    method: "GET",
    path: "/api/cron/:job",
    auth: "cron",
    tag: "Vigil",
    summary: "Run a job (heartbeat, monitor, checkpoint) under its lease",
    responses: { 200: r.cronBody, 404: r.errorBody, 500: r.errorBody },
  },
  {
    method: "GET",
    path: "/api/jobs",
    auth: "apiKey",
    tag: "Vigil",
    summary: "Latest runs of each job, missed schedules",
    responses: { 200: r.jobsBody },
  },

  {
    method: "POST",
    path: "/api/webhooks/:source",
    auth: "signature",
    tag: "Stability",
    summary: "A signed stability event (Standard Webhooks or X-Signature-256)",
    body: botEventSchema,
    responses: {
      200: r.webhookBody,
      400: r.errorBody,
      401: r.errorBody,
      404: r.errorBody,
      413: r.errorBody,
      429: r.errorBody,
      503: r.errorBody,
    },
  },
  {
    method: "GET",
    path: "/api/stability/report",
    auth: "apiKey",
    tag: "Stability",
    summary: "The rolling verdict (JSON or the Markdown monitoring log)",
    query: q.reportQuery,
    responses: { 200: r.reportBody },
  },
  {
    method: "GET",
    path: "/api/stability/checkpoints",
    auth: "apiKey",
    tag: "Stability",
    summary: "The 4-hourly checkpoints",
    query: q.checkpointsQuery,
    responses: { 200: r.checkpointsBody },
  },

  {
    method: "POST",
    path: "/api/runs",
    auth: "apiKey",
    tag: "Runs",
    summary: "Start a run (idempotent)",
    body: startRunBody,
    responses: { 200: r.runBody, 201: r.runBody, 400: r.errorBody, 409: r.errorBody },
  },
  {
    method: "GET",
    path: "/api/runs",
    auth: "apiKey",
    tag: "Runs",
    summary: "Runs, newest first, keyset-paged",
    query: q.runsListQuery,
    responses: { 200: r.runsBody },
  },
  {
    method: "DELETE",
    path: "/api/runs",
    auth: "apiKey",
    tag: "Runs",
    summary: "Delete finished runs older than N days whose archive verifies",
    query: q.cleanupQuery,
    responses: { 200: r.cleanupBody },
  },
  {
    method: "POST",
    path: "/api/runs/:sessionId/progress",
    auth: "apiKey",
    tag: "Runs",
    summary: "Report progress",
    body: progressBody,
    responses: { 200: r.runBody, 404: r.errorBody, 409: r.errorBody },
  },
  {
    method: "POST",
    path: "/api/runs/:sessionId/complete",
    auth: "apiKey",
    tag: "Runs",
    summary: "Complete a run (idempotent)",
    body: completeRunBody,
    responses: { 200: r.runBody, 404: r.errorBody, 409: r.errorBody },
  },
  {
    method: "GET",
    path: "/api/runs/:sessionId",
    auth: "apiKey",
    tag: "Runs",
    summary: "One run",
    responses: { 200: r.runDetailBody, 404: r.errorBody },
  },
  {
    method: "GET",
    path: "/api/runs/:sessionId/executions",
    auth: "apiKey",
    tag: "Runs",
    summary: "A run's agent executions",
    responses: { 200: r.executionsBody, 404: r.errorBody },
  },
  {
    method: "GET",
    path: "/api/runs/:sessionId/report",
    auth: "apiKey",
    tag: "Runs",
    summary: "A run's summary report",
    responses: { 200: r.runReportBody, 404: r.errorBody },
  },
  {
    method: "POST",
    path: "/api/executions",
    auth: "apiKey",
    tag: "Runs",
    summary: "Start an agent execution (idempotent)",
    body: startExecutionBody,
    responses: { 200: r.executionBody, 201: r.executionBody, 404: r.errorBody, 409: r.errorBody },
  },
  {
    method: "POST",
    path: "/api/executions/:agentSessionId/complete",
    auth: "apiKey",
    tag: "Runs",
    summary: "Complete an agent execution (idempotent)",
    body: completeExecutionBody,
    responses: { 200: r.executionBody, 404: r.errorBody, 409: r.errorBody },
  },
  {
    method: "GET",
    path: "/api/stats/health",
    auth: "apiKey",
    tag: "Runs",
    summary: "Health over N hours",
    query: q.hoursQuery,
    responses: { 200: r.statsHealthBody },
  },
  {
    method: "GET",
    path: "/api/stats/performance",
    auth: "apiKey",
    tag: "Runs",
    summary: "Per-agent performance",
    responses: { 200: r.performanceBody },
  },
  {
    method: "GET",
    path: "/api/failures",
    auth: "apiKey",
    tag: "Runs",
    summary: "Failed runs",
    query: q.failuresQuery,
    responses: { 200: r.failuresBody },
  },
  {
    method: "GET",
    path: "/api/agents/:name",
    auth: "apiKey",
    tag: "Runs",
    summary: "One agent",
    responses: { 200: r.agentBody, 404: r.errorBody },
  },
  {
    method: "GET",
    path: "/api/export",
    auth: "apiKey",
    tag: "Runs",
    summary: "Everything (or one run) as streamed JSON",
    query: q.exportQuery,
    responses: { 200: r.exportBody, 404: r.errorBody },
  },

  {
    method: "GET",
    path: "/api/monitoring/results",
    auth: "apiKey",
    tag: "Monitoring",
    summary: "Conversation verdicts",
    query: q.resultsQuery,
    responses: { 200: r.resultsBody },
  },
  {
    method: "GET",
    path: "/api/monitoring/sessions/:id",
    auth: "apiKey",
    tag: "Monitoring",
    summary: "A session's verdicts and diagnosis",
    responses: { 200: r.sessionBody, 404: r.errorBody },
  },
  {
    method: "POST",
    path: "/api/monitoring/sessions/:id/reanalyze",
    auth: "apiKey",
    tag: "Monitoring",
    summary: "Queue a fresh verdict",
    responses: { 202: r.reanalyzeBody, 404: r.errorBody },
  },
  {
    method: "GET",
    path: "/api/monitoring/summary",
    auth: "apiKey",
    tag: "Monitoring",
    summary: "Rates by intent, top failure causes",
    query: q.summaryQuery,
    responses: { 200: r.monitoringSummaryBody },
  },

  {
    method: "GET",
    path: "/api/alerts",
    auth: "apiKey",
    tag: "Alerts",
    summary: "Alerts",
    query: q.alertsQuery,
    responses: { 200: r.alertsBody },
  },
  {
    method: "GET",
    path: "/api/alerts/:id",
    auth: "apiKey",
    tag: "Alerts",
    summary: "One alert with transitions and notifications",
    responses: { 200: r.alertDetailBody, 404: r.errorBody },
  },
  {
    method: "POST",
    path: "/api/alerts/:id/ack",
    auth: "apiKey",
    tag: "Alerts",
    summary: "Acknowledge: no repeats until it resolves",
    responses: { 200: r.alertDetailBody, 404: r.errorBody, 409: r.errorBody },
  },
  {
    method: "GET",
    path: "/api/silences",
    auth: "apiKey",
    tag: "Alerts",
    summary: "Silences",
    query: q.silencesQuery,
    responses: { 200: r.silencesBody },
  },
  {
    method: "POST",
    path: "/api/silences",
    auth: "apiKey",
    tag: "Alerts",
    summary: "Silence matching alerts until a time",
    body: silenceRequest,
    responses: { 201: r.silenceBody, 400: r.errorBody },
  },
  {
    method: "DELETE",
    path: "/api/silences/:id",
    auth: "apiKey",
    tag: "Alerts",
    summary: "End a silence",
    responses: { 200: r.expiredBody, 404: r.errorBody },
  },

  {
    method: "GET",
    path: "/",
    auth: "public",
    tag: "Status",
    summary: "Leads to the status page",
    responses: { 302: text("text/plain", "Redirect to /status") },
  },
  {
    method: "GET",
    path: "/status",
    auth: "basic",
    tag: "Status",
    summary: "The status page (HTML)",
    responses: { 200: text("text/html", "The status page"), 401: r.errorBody },
  },
];

export const routeKey = (method: string, path: string) => `${method} ${path}`;
