import type { RouteContract } from "./contract.js";
import { ALERT_ROUTES } from "./routes/alerts.js";
import { CRON_ROUTES } from "./routes/cron.js";
import { EVENT_ROUTES } from "./routes/events.js";
import { HEALTH_ROUTES } from "./routes/health.js";
import { JOB_ROUTES } from "./routes/jobs.js";
import { METRICS_ROUTES } from "./routes/metrics.js";
import { MONITORING_ROUTES } from "./routes/monitoring.js";
import { OPENAPI_ROUTES } from "./routes/openapi.js";
import { RUN_ROUTES } from "./routes/runs.js";
import { STABILITY_ROUTES } from "./routes/stability.js";
import { STATUS_ROUTES } from "./routes/status.js";
import { WEBHOOK_ROUTES } from "./routes/webhooks.js";

/**
 * Every route of the app, each declared next to its handler. The OpenAPI document, the API-key
 * guard (`public-paths.ts`) and the security tests read this list; a test fails when the app
 * serves a route that is not here, or the other way round.
 */
export const ROUTES: readonly RouteContract[] = [
  HEALTH_ROUTES,
  OPENAPI_ROUTES,
  CRON_ROUTES,
  JOB_ROUTES,
  WEBHOOK_ROUTES,
  STABILITY_ROUTES,
  RUN_ROUTES,
  MONITORING_ROUTES,
  ALERT_ROUTES,
  METRICS_ROUTES,
  EVENT_ROUTES,
  STATUS_ROUTES,
].flatMap((group) => Object.values(group) as RouteContract[]);

export const routeKey = (method: string, path: string) => `${method} ${path}`;
