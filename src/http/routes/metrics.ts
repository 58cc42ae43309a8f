import { Hono } from "hono";
import type { AppContext } from "../context.js";
import { gatherMetrics } from "../../prometheus/collect.js";
import { CONTENT_TYPE, renderExposition } from "../../prometheus/exposition.js";
import type { AppEnv } from "../app-env.js";
import { defineRoute, errorReply, media } from "../contract.js";

export const METRICS_ROUTES = {
  metrics: defineRoute({
    method: "GET",
    path: "/api/metrics",
    auth: "apiKey",
    tag: "Vigil",
    summary: "Counters, gauges and the response-time histogram for Prometheus (text exposition format 0.0.4)",
    responses: { 200: media(CONTENT_TYPE, "Prometheus text exposition"), 401: errorReply },
  }),
};

export function metricsRoutes(deps: AppContext) {
  const R = METRICS_ROUTES;
  return new Hono<AppEnv>().on(R.metrics.method, R.metrics.path, async (c) =>
    c.body(renderExposition(await gatherMetrics(deps.db, deps.clock())), 200, { "content-type": CONTENT_TYPE }),
  );
}
