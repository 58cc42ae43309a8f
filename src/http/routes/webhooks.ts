import { Hono } from "hono";
import { createBatchWriter } from "../../db/batch-writer.js";
import type { Deps } from "../../deps.js";
import { NotFoundError, PayloadTooLargeError, RateLimitedError } from "../../errors.js";
import { createEventWriter } from "../../stability/event-writer.js";
import { ingestWebhook } from "../../stability/ingest.js";
import type { AppEnv } from "../app-env.js";

const SOURCE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Signed stability events. Authenticated by signature, never by API key. */
export function webhookRoutes(deps: Deps) {
  const writer = createBatchWriter(deps.db);
  const events = createEventWriter(deps.db);
  const limit = deps.env.WEBHOOK_MAX_BYTES;
  return new Hono<AppEnv>().post(
    "/api/webhooks/:source",
    async (c, next) => {
      const source = c.req.param("source");
      if (!SOURCE.test(source)) throw new NotFoundError("Unknown webhook source: use letters, digits, '.', '_' or '-' (at most 64)");
      const decision = await deps.webhookRateLimiter?.limit(source);
      if (decision && !decision.allowed) {
        throw new RateLimitedError(`Too many webhooks from ${source}; retry later`, decision.retryAfterSeconds);
      }
      await next();
    },
    async (c) => {
      // Checked here rather than with hono/body-limit, which touches the raw body stream and so
      // makes @hono/node-server build a full Web Request for every webhook (measured: ~10% of the route).
      const tooLarge = () => new PayloadTooLargeError(`Webhook body is larger than ${limit} bytes`);
      if (Number(c.req.header("content-length") ?? 0) > limit) throw tooLarge();
      const body = new Uint8Array(await c.req.arrayBuffer());
      if (body.byteLength > limit) throw tooLarge();
      const result = await ingestWebhook(
        { env: deps.env, writer, events, log: deps.log, clock: deps.clock },
        { source: c.req.param("source"), header: (name) => c.req.header(name), body },
      );
      return c.json({ received: true, ...result }, 200);
    },
  );
}
