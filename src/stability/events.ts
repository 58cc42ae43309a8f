import { z } from "zod";
import { ValidationError } from "../errors.js";
import { parseInput } from "../http/validate.js";

export const BOT_EVENT_TYPES = ["message.received", "message.processed", "response.sent", "signature.failed", "error"] as const;
export type BotEventType = (typeof BOT_EVENT_TYPES)[number];
/** `delivery`: any other signed JSON (a provider's delivery mirrored to Vigil). */
export type EventType = BotEventType | "delivery" | "invalid_payload";

const timestamp = z.union([z.iso.datetime({ offset: true }), z.number().int().positive()]).transform((v) => new Date(v).getTime());

/** What the monitored bot sends to POST /api/webhooks/:source. */
export const botEventSchema = z.object({
  type: z.enum(BOT_EVENT_TYPES),
  occurred_at: timestamp,
  conversation_id: z.string().min(1).max(256).optional(),
  message_id: z.string().min(1).max(256).optional(),
  latency_ms: z.number().min(0).max(3_600_000).optional(),
  error: z
    .object({
      type: z.string().min(1).max(100),
      message: z.string().max(2000).optional(),
    })
    .optional(),
});

export interface ClassifiedEvent {
  type: EventType;
  occurredAt: number | null;
  conversationId: string | null;
  messageId: string | null;
  latencyMs: number | null;
  errorType: string | null;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Parses a signed body: a bot event (validated strictly), or a plain delivery. Throws ValidationError. */
export function classifyEvent(raw: Uint8Array): { event: ClassifiedEvent; json: unknown } {
  let json: unknown;
  try {
    json = JSON.parse(utf8.decode(raw));
  } catch {
    throw new ValidationError("Webhook body must be valid UTF-8 JSON", [{ field: "body", message: "not valid JSON" }]);
  }
  const claimsBotEvent =
    typeof json === "object" && json !== null && BOT_EVENT_TYPES.includes((json as { type?: unknown }).type as BotEventType);
  if (!claimsBotEvent) {
    return {
      json,
      event: { type: "delivery", occurredAt: null, conversationId: null, messageId: null, latencyMs: null, errorType: null },
    };
  }
  const e = parseInput(botEventSchema, json, "event");
  return {
    json,
    event: {
      type: e.type,
      occurredAt: e.occurred_at,
      conversationId: e.conversation_id ?? null,
      messageId: e.message_id ?? null,
      latencyMs: e.latency_ms === undefined ? null : Math.round(e.latency_ms),
      errorType: e.type === "error" ? (e.error?.type ?? "unknown") : null,
    },
  };
}
