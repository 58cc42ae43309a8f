import { randomUUID } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import type { Logger } from "../log.js";
import type { AppEnv } from "./app-env.js";
import type { AnswerBody, Exactly, JsonStatus, RouteContract } from "./contract.js";

/** hono/secure-headers' defaults, written out, so the hot path can send them as one record. */
const SECURITY_HEADERS: readonly (readonly [string, string])[] = [
  ["Cross-Origin-Resource-Policy", "same-origin"],
  ["Cross-Origin-Opener-Policy", "same-origin"],
  ["Origin-Agent-Cluster", "?1"],
  ["Referrer-Policy", "no-referrer"],
  ["Strict-Transport-Security", "max-age=15552000; includeSubDomains"],
  ["X-Content-Type-Options", "nosniff"],
  ["X-DNS-Prefetch-Control", "off"],
  ["X-Download-Options", "noopen"],
  ["X-Frame-Options", "SAMEORIGIN"],
  ["X-Permitted-Cross-Domain-Policies", "none"],
  ["X-XSS-Protection", "0"],
];

const SECURITY_HEADER_RECORD: Record<string, string> = Object.fromEntries(SECURITY_HEADERS);

/** The envelope's headers as one record, for an answer made outside the app (see server/). */
export const envelopeHeaders = (requestId: string): Record<string, string> => ({ ...SECURITY_HEADER_RECORD, "X-Request-Id": requestId });

// Responses built by jsonWithHeaders already carry every header: nothing to add afterwards.
const complete = new WeakSet<Response>();

/**
 * A JSON answer with the envelope's headers as one plain record: @hono/node-server then writes
 * it without building a Headers object (measured on the webhook route). For hot routes; typed by
 * the route's contract as `answer()` is.
 */
export function jsonWithHeaders<R extends RouteContract, S extends JsonStatus<R>, T extends AnswerBody<R, S>>(
  c: Context<AppEnv>,
  _route: R,
  status: S,
  body: T & Exactly<T, AnswerBody<R, S>>,
): Response {
  const res = new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...envelopeHeaders(c.get("requestId")) },
  });
  complete.add(res);
  return res;
}

// A caller's id is kept only if it is short and plain (as hono/request-id decides).
const GIVEN_ID = /^[\w\-=]{1,255}$/;

/**
 * What every request gets, in one middleware instead of three (each layer of Hono's
 * chain costs CPU on every webhook): a request id (the caller's X-Request-Id if plain, else a
 * UUID), the security headers, and one JSON log line — a wide event to which a route adds its own
 * fields with `c.set("logFields", …)` (a webhook's type, id and duplicate flag); 5xx at error
 * level. Never headers or bodies.
 */
export function requestEnvelope(log: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    const given = c.req.header("x-request-id");
    const requestId = given !== undefined && GIVEN_ID.test(given) ? given : randomUUID();
    c.set("requestId", requestId);
    await next();
    if (!complete.has(c.res)) {
      // A route's own value (the status page's CSP and framing) wins over the defaults.
      const headers = c.res.headers;
      for (const [name, value] of SECURITY_HEADERS) if (!headers.has(name)) headers.set(name, value);
      headers.set("X-Request-Id", requestId);
    }
    const status = c.res.status;
    const fields = {
      route: routePath(c),
      method: c.req.method,
      path: c.req.path,
      status,
      duration_ms: Math.round(performance.now() - started),
      request_id: requestId,
      ...c.get("logFields"),
    };
    if (status >= 500) log.error("request", fields);
    else log.info("request", fields);
  };
}
