import { z } from "zod";
import { ValidationError } from "../errors.js";
import { parseInput } from "../shared/parse-input.js";
import { plainText } from "../security/control-characters.js";

export const BOT_EVENT_TYPES = ["message.received", "message.processed", "response.sent", "signature.failed", "error"] as const;
export type BotEventType = (typeof BOT_EVENT_TYPES)[number];
/** `delivery`: any other signed JSON (a provider's delivery mirrored to Vigil). */
export type EventType = BotEventType | "delivery" | "invalid_payload";

// A time outside these years is a bug or an attack, and some (past 275760) are not dates at all.
const EARLIEST = Date.UTC(2000, 0, 1);
const LATEST = Date.UTC(2100, 0, 1);
const timestamp = z
  .union([z.iso.datetime({ offset: true }), z.number().int().positive()])
  .transform((v) => new Date(v).getTime())
  .refine((ms) => Number.isFinite(ms) && ms >= EARLIEST && ms < LATEST, "must be a time between 2000 and 2100 (ISO 8601 or epoch milliseconds)");
const label = (max: number) => plainText(z.string().min(1).max(max));
/** Deeper JSON is no event: bounding it keeps parsing and re-serialising it off the stack limit. */
const MAX_JSON_DEPTH = 64;

/** What the monitored bot sends to POST /api/webhooks/:source. */
export const botEventSchema = z.object({
  type: z.enum(BOT_EVENT_TYPES),
  occurred_at: timestamp,
  conversation_id: label(256).optional(),
  message_id: label(256).optional(),
  latency_ms: z.number().min(0).max(3_600_000).optional(),
  error: z
    .object({
      type: label(100),
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
export function classifyEvent(raw: Uint8Array): { event: ClassifiedEvent; payload: string } {
  const invalid = () => new ValidationError("Webhook body must be valid UTF-8 JSON", [{ field: "body", message: "not valid JSON" }]);
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    throw invalid();
  }
  // Checked before parsing: the text scan is linear and never recurses.
  if (jsonDepth(text) > MAX_JSON_DEPTH) {
    throw new ValidationError(`Webhook body is nested deeper than ${MAX_JSON_DEPTH} levels`, [{ field: "body", message: `nested deeper than ${MAX_JSON_DEPTH} levels` }]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw invalid();
  }
  const payload = JSON.stringify(json);
  const claimsBotEvent =
    typeof json === "object" && json !== null && BOT_EVENT_TYPES.includes((json as { type?: unknown }).type as BotEventType);
  if (!claimsBotEvent) {
    return {
      payload,
      event: { type: "delivery", occurredAt: null, conversationId: null, messageId: null, latencyMs: null, errorType: null },
    };
  }
  const e = parseInput(botEventSchema, json, "event");
  return {
    payload,
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

/** The deepest nesting of arrays and objects in valid JSON text (brackets inside strings do not count). */
function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 92) i++; // backslash: skip the escaped character
      else if (ch === 34) inString = false;
    } else if (ch === 34) inString = true;
    else if (ch === 91 || ch === 123) max = Math.max(max, ++depth);
    else if (ch === 93 || ch === 125) depth--;
  }
  return max;
}
