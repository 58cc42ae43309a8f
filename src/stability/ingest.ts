import { createHash } from "node:crypto";
import type { BatchWriter } from "../db/batch-writer.js";
import { NotFoundError, RateLimitedError, UnauthorizedError, ValidationError } from "../errors.js";
import type { RateLimiter } from "../integrations/rate-limiter.js";
import type { Logger } from "../log.js";
import { classifyEvent, type EventType } from "./bot-event.js";
import type { EventWriter } from "./event-writer.js";
import { signatureFailureStatements } from "./rollup-catch-up.js";
import { isBodyDigest } from "./replays.js";
import { canonicalSource, isDeclaredSource, sourcesAreDeclared, UNDECLARED_SOURCE, type SourceSettings } from "./known-sources.js";
import { secretsForSource } from "./source-secrets.js";
import { addressKey } from "./signature-judgement.js";
import { verifySignature, type SignatureFailureReason } from "./signatures.js";

/** What accepting a webhook needs from the configuration. */
export interface WebhookSettings {
  sources: SourceSettings;
  /** How far a signature's timestamp may be from now. */
  toleranceSeconds: number;
  /** How long a delivery's digest is remembered against replays. */
  replayWindowDays: number;
}

export interface IngestContext {
  settings: WebhookSettings;
  /** Signature failures (rare) go through the generic writer. */
  writer: BatchWriter;
  events: EventWriter;
  log: Logger;
  clock: () => number;
  /** Shared rate limiter (Upstash); undefined: verified deliveries are not rate limited. */
  limiter?: RateLimiter | undefined;
  /** Limits refused requests per client address: Upstash when configured, else this instance's memory. */
  refusalLimiter: RateLimiter;
  /** Whether an undeclared source has stored events (then its failures are counted under its name). */
  hasDelivered?: (source: string) => Promise<boolean>;
  /** The type of a delivery already stored (or remembered) under this dedupe key. */
  storedType?: (source: string, dedupeKey: string) => Promise<string | undefined>;
}

export interface IngestRequest {
  source: string;
  header: (name: string) => string | undefined;
  body: Uint8Array;
  /** The client address, for limiting refused requests; undefined when unknown. */
  clientIp?: string | undefined;
}

export interface IngestResult {
  id: string;
  type: EventType;
  duplicate: boolean;
  /** For the request's one log line (the access log's wide event); never the payload. */
  logFields: {
    source: string;
    type: EventType;
    webhook_id: string;
    duplicate: boolean;
    scheme: string;
    // Present only when the event has them: a `"error_type":null` on every accepted line made
    // `grep -i error` (seed 003's error check) match them all.
    latency_ms?: number;
    error_type?: string;
  };
}

const ROUTE = "/api/webhooks/:source";
const DAY_MS = 86_400_000;

/**
 * Refused requests are limited by client address, apart from any source's budget, so a
 * flood of unsigned requests can neither lock a sender out nor cost without bound.
 */
async function limitRefusal(ctx: IngestContext, ip: string | undefined): Promise<void> {
  const decision = await ctx.refusalLimiter.limit(`refused:${ip ?? "unknown"}`);
  if (!decision.allowed) throw new RateLimitedError("Too many refused webhooks from this address; retry later", decision.retryAfterSeconds);
}

async function countRefusal(ctx: IngestContext, source: string, reason: SignatureFailureReason, ip: string | undefined, at: number) {
  // Counted without the body. If the count cannot be written the sender still gets its answer.
  await ctx.writer
    .write(signatureFailureStatements(source, reason, addressKey(ip), at))
    .catch((error: unknown) => ctx.log.error("could not record signature failure", { route: ROUTE, err: error }));
}

// The path segment a source may be: it also keeps out any control character the path guard would.
const SOURCE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * The source a webhook path names, as it is stored (`canonicalSource`): a malformed name is a 404
 * (nothing counted), an undeclared one while sources are declared a 404 counted under one name.
 */
export async function resolveSource(ctx: IngestContext, given: string, clientIp: string | undefined): Promise<string> {
  if (!SOURCE.test(given)) throw new NotFoundError("Unknown webhook source: use letters, digits, '.', '_' or '-' (at most 64)");
  const { sources } = ctx.settings;
  const source = canonicalSource(sources, given);
  if (sourcesAreDeclared(sources) && !isDeclaredSource(sources, source)) await refuseUnknownSource(ctx, source, clientIp);
  return source;
}

/** A POST to a source that is not declared: 404, counted once per request under one aggregate name. */
async function refuseUnknownSource(ctx: IngestContext, source: string, clientIp: string | undefined): Promise<never> {
  await limitRefusal(ctx, clientIp);
  ctx.log.warn("unknown webhook source", { route: ROUTE, source });
  await countRefusal(ctx, UNDECLARED_SOURCE, "unknown_source", clientIp, ctx.clock());
  throw new NotFoundError("Unknown webhook source: it is not in WEBHOOK_SOURCES and has no WEBHOOK_SECRET_<SOURCE>");
}

/** Failures count under the source only if it exists; made-up names share one aggregate. */
async function failureSource(ctx: IngestContext, source: string): Promise<string> {
  if (isDeclaredSource(ctx.settings.sources, source)) return source;
  if (sourcesAreDeclared(ctx.settings.sources)) return UNDECLARED_SOURCE;
  return (await ctx.hasDelivered?.(source)) ? source : UNDECLARED_SOURCE;
}

/** A refused request: limited by address, counted (without its body), answered 401. */
async function refuse(ctx: IngestContext, req: IngestRequest, reason: SignatureFailureReason, at: number): Promise<never> {
  await limitRefusal(ctx, req.clientIp);
  ctx.log.warn("signature failed", { route: ROUTE, source: req.source, reason, client: addressKey(req.clientIp) });
  await countRefusal(ctx, await failureSource(ctx, req.source), reason, req.clientIp, at);
  throw new UnauthorizedError(`Webhook signature rejected: ${reason}`);
}

/**
 * Verifies, classifies and stores one webhook. Resolves only once the event is committed, so
 * the caller may then answer 2xx. A repeated id is stored once. An accepted webhook logs
 * nothing here: its fields go into the request's one access-log line.
 */
export async function ingestWebhook(ctx: IngestContext, req: IngestRequest): Promise<IngestResult> {
  const receivedAt = ctx.clock();
  const { secrets, shared } = secretsForSource(ctx.settings.sources, req.source);
  const verification = verifySignature({
    secrets,
    headers: req.header,
    body: req.body,
    nowSeconds: Math.floor(receivedAt / 1000),
    toleranceSeconds: ctx.settings.toleranceSeconds,
  });
  if (!verification.ok) return refuse(ctx, req, verification.reason, receivedAt);
  // The dedupe id must be covered by the signature: Standard Webhooks signs its id; a plain HMAC
  // signs only the body, so an unsigned delivery-id header could turn one capture into many.
  // Under the shared secret the signature does not bind the source, so the id is unique across sources.
  const id = verification.webhookId ?? `sha256:${createHash("sha256").update(req.body).digest("hex")}`;
  const logFields = (type: EventType, duplicate: boolean, event?: { latencyMs: number | null; errorType: string | null }) => ({
    source: req.source,
    type,
    webhook_id: id,
    duplicate,
    scheme: verification.scheme,
    ...(event?.latencyMs == null ? {} : { latency_ms: event.latencyMs }),
    ...(event?.errorType == null ? {} : { error_type: event.errorType }),
  });

  // A replay is answered before it draws on the budget, or 70 replays of one capture would lock
  // the real sender out. Without a budget the insert itself finds duplicates (and remembered digests).
  if (ctx.limiter) {
    const stored = (await ctx.storedType?.(req.source, id)) as EventType | undefined;
    if (stored !== undefined) return { id, type: stored, duplicate: true, logFields: logFields(stored, true) };
  }
  // Only a verified delivery draws on its source's budget.
  const decision = await ctx.limiter?.limit(`source:${req.source}`);
  if (decision && !decision.allowed)
    throw new RateLimitedError(`Too many webhooks from ${req.source}; retry later`, decision.retryAfterSeconds);

  let classified: ReturnType<typeof classifyEvent>;
  try {
    classified = classifyEvent(req.body);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const invalid = {
      type: "invalid_payload" as const,
      occurredAt: null,
      conversationId: null,
      messageId: null,
      latencyMs: null,
      errorType: "invalid_payload",
      release: null,
    };
    // Keyed apart from valid events, so a corrected delivery reusing the id is still stored.
    await ctx.events.write({
      source: req.source,
      dedupeKey: `invalid:${id}`,
      sharedKey: shared,
      receivedAt,
      event: invalid,
      payload: null,
    });
    ctx.log.warn("webhook rejected", { route: ROUTE, source: req.source, type: "invalid_payload", webhook_id: id, problem: error.message });
    throw error;
  }

  const { event } = classified;
  // An X-Signature-256 body signs no time of its own; the time inside it is signed with it. Past
  // the replay window its digest may be forgotten, so such a body is refused as stale.
  if (isBodyDigest(id) && event.occurredAt !== null && event.occurredAt < receivedAt - ctx.settings.replayWindowDays * DAY_MS)
    return refuse(ctx, req, "timestamp_too_old", receivedAt);
  const { duplicate } = await ctx.events.write({
    source: req.source,
    dedupeKey: id,
    sharedKey: shared,
    receivedAt,
    event,
    payload: classified.payload,
  });
  return { id, type: event.type, duplicate, logFields: logFields(event.type, duplicate, event) };
}
