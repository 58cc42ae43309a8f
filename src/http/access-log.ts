import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import type { Logger } from "../log.js";
import type { AppEnv } from "./app-env.js";

/**
 * One JSON line per request (a wide event: a route adds its own fields with
 * `c.set("logFields", …)`, e.g. a webhook's type, id and duplicate flag); 5xx at error level.
 * Never headers or bodies.
 */
export function accessLog(log: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    await next();
    const status = c.res.status;
    const fields = {
      route: routePath(c),
      method: c.req.method,
      path: c.req.path,
      status,
      duration_ms: Math.round(performance.now() - started),
      request_id: c.get("requestId"),
      ...c.get("logFields"),
    };
    if (status >= 500) log.error("request", fields);
    else log.info("request", fields);
  };
}
