import { serve } from "@hono/node-server";
import { Hono, type MiddlewareHandler } from "hono";
import { requestId } from "hono/request-id";
import { routePath } from "hono/route";
import { secureHeaders } from "hono/secure-headers";
import { z } from "zod";
import type { AppEnv } from "../src/http/app-env.js";
import { defineRoute, json } from "../src/http/contract.js";
import { refuseControlCharactersInPath } from "../src/http/path-guard.js";
import { jsonWithHeaders, requestEnvelope } from "../src/http/request-envelope.js";
import { createLogger } from "../src/log.js";

// The middleware in front of the webhook route, alone on the real server stack (bench/ingest-steps.ts
// drives it): CHAIN=old is the seven layers before the single request envelope (hono's request id, the access-log
// middleware as it was, hono's secure headers, the body-limit, API-key, path and schema guards
// the webhook passed through); CHAIN=new is the one envelope and the answer built with its
// headers as one record. The route only reads the body and answers, as the bare baseline does.
const log = createLogger({ sink: (line) => process.stdout.write(`${line}\n`) });
const oldAccessLog: MiddlewareHandler = async (c, next) => {
  const started = performance.now();
  await next();
  log.info("request", {
    route: routePath(c),
    method: c.req.method,
    path: c.req.path,
    status: c.res.status,
    duration_ms: Math.round(performance.now() - started),
    request_id: c.get("requestId"),
  });
};
// The old wrappers tested the path and let a webhook through: the test, then next().
const skipForWebhooks: MiddlewareHandler = (c, next) => {
  if (!c.req.path.startsWith("/api/webhooks/")) throw new Error("chain-server only serves the webhook route");
  return next();
};
const ROUTE = "/api/webhooks/:source";
// The bare baseline's answer, declared as a route's is.
const BENCH_ROUTE = defineRoute({
  method: "POST",
  path: ROUTE,
  auth: "signature",
  tag: "Bench",
  summary: "The webhook route's middleware alone",
  responses: { 200: json(() => z.strictObject({ received: z.literal(true), id: z.string() })) },
});
const app =
  process.env.CHAIN === "old"
    ? new Hono()
        .use(requestId())
        .use(oldAccessLog)
        .use(secureHeaders({ overwrite: false }))
        .use(skipForWebhooks)
        .use("/api/*", skipForWebhooks)
        .use("/api/*", refuseControlCharactersInPath)
        .use("/api/*", async (_c, next) => {
          await next();
        })
        .post(ROUTE, async (c) => {
          await c.req.arrayBuffer();
          return c.json({ received: true, id: "msg_1" }, 200);
        })
    : new Hono<AppEnv>().use(requestEnvelope(log)).post(ROUTE, async (c) => {
        await c.req.arrayBuffer();
        return jsonWithHeaders(c, BENCH_ROUTE, 200, { received: true, id: "msg_1" });
      });
const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
server.once("listening", () => process.stdout.write(`ready http://127.0.0.1:${(server.address() as { port: number }).port}\n`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
