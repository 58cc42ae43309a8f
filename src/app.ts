import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Deps } from "./deps.js";
import { PayloadTooLargeError } from "./errors.js";
import type { AppEnv } from "./http/app-env.js";
import { requireBearer } from "./http/auth.js";
import { renderError, renderNotFound } from "./http/error-handler.js";
import { needsApiKey } from "./http/public-paths.js";
import { cronRoutes } from "./http/routes/cron.js";
import { eventRoutes } from "./http/routes/events.js";
import { healthRoutes } from "./http/routes/health.js";
import { alertRoutes } from "./http/routes/alerts.js";
import { jobRoutes } from "./http/routes/jobs.js";
import { metricsRoutes } from "./http/routes/metrics.js";
import { monitoringRoutes } from "./http/routes/monitoring.js";
import { openApiRoutes } from "./http/routes/openapi.js";
import { ROUTES } from "./http/route-table.js";
import { runRoutes } from "./http/routes/runs.js";
import { statusRoutes } from "./http/routes/status.js";
import { stabilityRoutes } from "./http/routes/stability.js";
import { webhookRoutes } from "./http/routes/webhooks.js";
import { refuseControlCharactersInPath } from "./http/path-guard.js";
import { currentSchemaGuard } from "./http/schema-guard.js";
import { requestEnvelope } from "./http/request-envelope.js";
import { JOBS } from "./jobs/registry.js";
import type { JobName } from "./job-records/names.js";
import type { JobFn } from "./jobs/types.js";

/** Builds the whole HTTP surface from its dependencies; Vercel, the local server and tests all use this. */
export interface AppOptions {
  /** The cron jobs; tests replace one to make it slow or failing. */
  jobs?: Record<JobName, JobFn>;
}

export function createApp(deps: Deps, options: AppOptions = {}) {
  const app = new Hono<AppEnv>();
  const apiKey = requireBearer(deps.settings.http.apiKey, "VIGIL_API_KEY", deps);
  const schema = currentSchemaGuard(deps.db);

  app.use(requestEnvelope(deps.log));
  // Webhooks first: they carry their own signature, body limit and schema check, so the hot
  // path skips the API-key, body-limit and path-guard layers below (CPU per webhook).
  const routed = app.route("/", webhookRoutes(deps, schema));
  const limitBody = bodyLimit({
    maxSize: deps.settings.http.bodyLimitBytes,
    onError: () => {
      throw new PayloadTooLargeError(`Request body is larger than ${deps.settings.http.bodyLimitBytes} bytes`);
    },
  });
  app.use(limitBody);
  app.use("/api/*", (c, next) => (needsApiKey(c.req.path) ? apiKey(c, next) : next()));
  app.use("/api/*", refuseControlCharactersInPath);
  app.use("/api/*", (c, next) => (c.req.path === "/api/health" ? next() : schema.middleware(c, next)));
  app.use("/status", schema.middleware);

  app.notFound(renderNotFound);
  app.onError((error, c) => renderError(error, c, deps.log));
  // Chained on `routed` (the same app), so its type carries every route's input and answer
  // (AppType, for hono/client).
  return routed
    .route("/", healthRoutes(deps))
    .route("/", cronRoutes(deps, options.jobs ?? JOBS))
    .route("/", jobRoutes(deps))
    .route("/", stabilityRoutes(deps))
    .route("/", runRoutes(deps))
    .route("/", monitoringRoutes(deps))
    .route("/", alertRoutes(deps))
    .route("/", metricsRoutes(deps))
    .route("/", eventRoutes(deps))
    .route("/", statusRoutes(deps))
    .route("/", openApiRoutes(ROUTES));
}

export type App = ReturnType<typeof createApp>;
/** The whole API as a type: `hc<AppType>(url)` (hono/client) is a typed client of it. */
export type AppType = App;
