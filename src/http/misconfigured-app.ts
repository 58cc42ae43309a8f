import { Hono } from "hono";
import { requestId } from "hono/request-id";
import type { ConfigError } from "../errors.js";
import type { Logger } from "../log.js";
import { renderError } from "./error-handler.js";

/**
 * What a deployment serves when its configuration is invalid: every route, /api/health
 * included, answers 503 naming the variable, instead of a function that crashes at import
 * (on Vercel: 500 FUNCTION_INVOCATION_FAILED with nothing useful in the body).
 */
export function createMisconfiguredApp(error: ConfigError, log: Logger) {
  log.error("invalid configuration: every request answers 503", { err: error });
  return new Hono()
    .use(requestId())
    .all("*", () => {
      throw error;
    })
    .onError((err, c) => renderError(err, c, log));
}
