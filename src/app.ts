import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import type { Deps } from "./deps.js";
import { PayloadTooLargeError } from "./errors.js";
import { accessLog } from "./http/access-log.js";
import type { AppEnv } from "./http/app-env.js";
import { requireBearer } from "./http/auth.js";
import { renderError, renderNotFound } from "./http/error-handler.js";
import { needsApiKey } from "./http/public-paths.js";
import { cronRoutes } from "./http/routes/cron.js";
import { healthRoutes } from "./http/routes/health.js";
import { alertRoutes } from "./http/routes/alerts.js";
import { jobRoutes } from "./http/routes/jobs.js";
import { monitoringRoutes } from "./http/routes/monitoring.js";
import { openApiRoutes } from "./http/routes/openapi.js";
import { runRoutes } from "./http/routes/runs.js";
import { statusRoutes } from "./http/routes/status.js";
import { stabilityRoutes } from "./http/routes/stability.js";
import { webhookRoutes } from "./http/routes/webhooks.js";
import { refuseControlCharactersInPath } from "./http/path-guard.js";
import { requireCurrentSchema } from "./http/schema-guard.js";
import { JOBS } from "./jobs/registry.js";
import type { JobFn, JobName } from "./jobs/types.js";

/** Builds the whole HTTP surface from its dependencies; Vercel, the local server and tests all use this. */
export interface AppOptions {
  /** The cron jobs; tests replace one to make it slow or failing. */
  jobs?: Record<JobName, JobFn>;
}

export function createApp(deps: Deps, options: AppOptions = {}) {
  const app = new Hono<AppEnv>();
  const apiKey = requireBearer(deps.env.VIGIL_API_KEY, "VIGIL_API_KEY", deps.log);
  const schema = requireCurrentSchema(deps.db);

  app.use(requestId());
  app.use(accessLog(deps.log));
  // A route's own stricter headers (the status page's CSP and framing) win over the defaults.
  app.use(secureHeaders({ overwrite: false }));
  const limitBody = bodyLimit({
    maxSize: deps.env.BODY_LIMIT_BYTES,
    onError: () => {
      throw new PayloadTooLargeError(`Request body is larger than ${deps.env.BODY_LIMIT_BYTES} bytes`);
    },
  });
  // Webhooks have their own, separately configured limit.
  app.use((c, next) => (c.req.path.startsWith("/api/webhooks/") ? next() : limitBody(c, next)));
  app.use("/api/*", (c, next) => (needsApiKey(c.req.path) ? apiKey(c, next) : next()));
  app.use("/api/*", refuseControlCharactersInPath);
  app.use("/api/*", (c, next) => (c.req.path === "/api/health" ? next() : schema(c, next)));
  app.use("/status", schema);

  app.notFound(renderNotFound);
  app.onError((error, c) => renderError(error, c, deps.log));
  // Chained, so the app's type carries every route's input and answer (AppType, for hono/client).
  return app
    .route("/", healthRoutes(deps))
    .route("/", cronRoutes(deps, options.jobs ?? JOBS))
    .route("/", jobRoutes(deps))
    .route("/", webhookRoutes(deps))
    .route("/", stabilityRoutes(deps))
    .route("/", runRoutes(deps))
    .route("/", monitoringRoutes(deps))
    .route("/", alertRoutes(deps))
    .route("/", statusRoutes(deps))
    .route("/", openApiRoutes());
}

export type App = ReturnType<typeof createApp>;
/** The whole API as a type: `hc<AppType>(url)` (hono/client) is a typed client of it. */
export type AppType = App;
