import { createHash } from "node:crypto";
import type { BatchWriter } from "../db/batch-writer.js";
import type { Env } from "../env.js";
import { UnauthorizedError, ValidationError } from "../errors.js";
import type { Logger } from "../log.js";
import { classifyEvent, type EventType } from "./events.js";
import type { EventWriter } from "./event-writer.js";
import { signatureFailureStatements } from "./rollups.js";
import { secretsForSource } from "./secrets.js";
import { verifySignature } from "./signatures.js";

export interface IngestContext {
  env: Env;
  /** Signature failures (rare) go through the generic writer. */
  writer: BatchWriter;
  events: EventWriter;
  log: Logger;
  clock: () => number;
}

export interface IngestRequest {
  source: string;
  header: (name: string) => string | undefined;
  body: Uint8Array;
}

export interface IngestResult {
  id: string;
  type: EventType;
  duplicate: boolean;
}

// Providers that sign the raw body with a plain HMAC usually send a delivery id in one of these.
const DELIVERY_ID_HEADERS = ["x-webhook-id", "x-delivery-id", "x-github-delivery"];

/**
 * Verifies, classifies and stores one webhook. Resolves only once the event (and its rollup
 * counts) are committed, so the caller may then answer 2xx. A repeated id is stored once.
 */
export async function ingestWebhook(ctx: IngestContext, req: IngestRequest): Promise<IngestResult> {
  const receivedAt = ctx.clock();
  const log = ctx.log.child({ route: "/api/webhooks/:source", source: req.source });
  const verification = verifySignature({
    secrets: secretsForSource(ctx.env, req.source),
    headers: req.header,
    body: req.body,
    nowSeconds: Math.floor(receivedAt / 1000),
    toleranceSeconds: ctx.env.WEBHOOK_TOLERANCE_SECONDS,
  });
  if (!verification.ok) {
    log.warn("signature failed", { reason: verification.reason });
    // Counted without the body. If the count cannot be written the sender still gets its 401.
    await ctx.writer
      .write(signatureFailureStatements(req.source, verification.reason, receivedAt))
      .catch((error: unknown) => log.error("could not record signature failure", { err: error }));
    throw new UnauthorizedError(`Webhook signature rejected: ${verification.reason}`);
  }

  const id =
    verification.webhookId ??
    DELIVERY_ID_HEADERS.map((h) => req.header(h)).find((v) => v !== undefined && v.length <= 256) ??
    `sha256:${createHash("sha256").update(req.body).digest("hex")}`;

  let classified: ReturnType<typeof classifyEvent>;
  try {
    classified = classifyEvent(req.body);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const invalid = { type: "invalid_payload" as const, occurredAt: null, conversationId: null, messageId: null, latencyMs: null, errorType: "invalid_payload" };
    // Keyed apart from valid events, so a corrected delivery reusing the id is still stored.
    await ctx.events.write({ source: req.source, dedupeKey: `invalid:${id}`, receivedAt, event: invalid, payload: null });
    log.warn("webhook rejected", { type: "invalid_payload", webhook_id: id, problem: error.message });
    throw error;
  }

  const { event } = classified;
  const { duplicate } = await ctx.events.write({ source: req.source, dedupeKey: id, receivedAt, event, payload: JSON.stringify(classified.json) });
  log.info("webhook received", {
    type: event.type,
    webhook_id: id,
    scheme: verification.scheme,
    latency_ms: event.latencyMs,
    error_type: event.errorType,
    duplicate,
  });
  return { id, type: event.type, duplicate };
}
