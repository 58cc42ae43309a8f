import { ipAddress, waitUntil } from "@vercel/functions";
import { Hono } from "hono";
import { createBatchWriter } from "../../db/batch-writer.js";
import type { AppContext } from "../context.js";
import { createMemoryRateLimiter } from "../address-limiter.js";
import { createEventWriter } from "../../stability/event-writer.js";
import { botEventSchema } from "../../stability/bot-event.js";
import { ingestWebhook, resolveSource, type IngestContext } from "../../stability/ingest.js";
import { hasStoredEvents, storedDeliveryType } from "../../stability/store/webhook-events.js";
import type { AppEnv } from "../app-env.js";
import { defineRoute, errorReply, json } from "../contract.js";
import { readBodyWithin } from "../read-body.js";
import { jsonWithHeaders } from "../request-envelope.js";
import { webhookAnswers } from "../schemas/webhooks.js";
import type { SchemaGuard } from "../schema-guard.js";

export const WEBHOOK_ROUTES = {
  // The body schema is documentation only: the handler verifies the signature first and parses
  // the event in ingest.ts (a fast path without zod), so the route gets no validator.
  event: defineRoute({
    method: "POST",
    path: "/api/webhooks/:source",
    auth: "signature",
    tag: "Stability",
    summary: "A signed stability event (Standard Webhooks or X-Signature-256)",
    request: { body: botEventSchema },
    responses: {
      200: json(() => webhookAnswers().receivedBody),
      400: errorReply,
      401: errorReply,
      404: errorReply,
      413: errorReply,
      429: errorReply,
      503: errorReply,
    },
  }),
};

/**
 * Signed stability events. Authenticated by signature, never by API key; registered ahead of the
 * app's other middleware, so the schema check is made here (and the source's name pattern, in
 * `resolveSource`, refuses any control character the path guard would).
 */
export function webhookRoutes(deps: AppContext, schema: SchemaGuard) {
  const ctx: IngestContext = {
    settings: deps.settings.webhooks,
    writer: createBatchWriter(deps.db),
    events: createEventWriter(deps.db, {
      every: deps.settings.webhooks.rollupCatchUpEvery,
      inBackground: (work) =>
        void waitUntil(work.catch((err: unknown) => deps.log.warn("rollup catch-up failed", { route: "/api/webhooks", err }))),
    }),
    log: deps.log,
    clock: deps.clock,
    limiter: deps.webhookRateLimiter,
    refusalLimiter:
      deps.webhookRateLimiter ?? createMemoryRateLimiter({ perMinute: deps.settings.webhooks.rateLimitPerMinute, clock: deps.clock }),
    hasDelivered: (source) => hasStoredEvents(deps.db, source),
    storedType: (source, dedupeKey) => storedDeliveryType(deps.db, source, dedupeKey),
  };
  const R = WEBHOOK_ROUTES;
  return new Hono<AppEnv>().on(R.event.method, R.event.path, async (c) => {
    const pending = schema.ensure();
    if (pending) await pending;
    // On Vercel x-real-ip is set by the platform; locally there is none and refusals share one budget.
    const clientIp = ipAddress(c.req.raw.headers);
    const source = await resolveSource(ctx, c.req.param("source"), clientIp);
    // Not hono/body-limit: it makes @hono/node-server build a full Web Request for every webhook
    // (measured: ~10% of the route); readBodyWithin only does for a chunked body.
    const body = await readBodyWithin(c, deps.settings.webhooks.maxBytes, "Webhook body");
    const { logFields, ...result } = await ingestWebhook(ctx, { source, header: (name) => c.req.header(name), body, clientIp });
    c.set("logFields", logFields);
    return jsonWithHeaders(c, R.event, 200, { received: true, ...result });
  });
}
