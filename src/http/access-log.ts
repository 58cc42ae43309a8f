import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import type { Logger } from "../log.js";

/** One JSON line per request; 5xx at error level. Never headers or bodies. */
export function accessLog(log: Logger): MiddlewareHandler {
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
    };
    if (status >= 500) log.error("request", fields);
    else log.info("request", fields);
  };
}
