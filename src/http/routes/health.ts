import { Hono } from "hono";
import type { AppContext } from "../context.js";
import { createHealthCheck } from "../../ops/health.js";
import type { AppEnv } from "../app-env.js";
import { answer, defineRoute, json } from "../contract.js";
import { withIsoTimes } from "../iso-times.js";
import { healthAnswers } from "../schemas/health.js";

/**
 * Public liveness: any uptime checker can watch Vigil itself. Shows nothing but health (the rules
 * are in ops/health.ts). No version: SPEC keeps the public answer to liveness, and a version tells
 * a scanner which advisories apply (operators read it from the key-protected /api/openapi.json).
 */
export const HEALTH_ROUTES = {
  health: defineRoute({
    method: "GET",
    path: "/api/health",
    auth: "public",
    tag: "Vigil",
    summary: "Liveness and the age of the last heartbeat",
    responses: { 200: json(() => healthAnswers().healthBody), 503: json(() => healthAnswers().healthBody, "Down or stale") },
  }),
};

export function healthRoutes(deps: AppContext) {
  const check = createHealthCheck({
    db: deps.db,
    log: deps.log,
    clock: deps.clock,
    heartbeat: { schedule: deps.settings.jobs.schedules.heartbeat, staleSeconds: deps.settings.http.heartbeatStaleSeconds },
  });
  const R = HEALTH_ROUTES;
  return new Hono<AppEnv>().on(R.health.method, R.health.path, async (c) => {
    const health = await check();
    return answer(c, R.health, health.status === "ok" ? 200 : 503, withIsoTimes(health, "lastHeartbeatAt"));
  });
}
