import { z } from "zod";
import { ValidationError } from "../errors.js";
import { parseInput } from "../shared/parse-input.js";
import { hasControlCharacters, plainText } from "../security/control-characters.js";

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
  .refine(
    (ms) => Number.isFinite(ms) && ms >= EARLIEST && ms < LATEST,
    "must be a time between 2000 and 2100 (ISO 8601 or epoch milliseconds)",
  );
const label = (max: number) => plainText(z.string().min(1).max(max));
/** Deeper JSON is no event: bounding it keeps parsing and re-serialising it off the stack limit. */
const MAX_JSON_DEPTH = 64;

const MAX_RELEASE_CHARS = 100;

/** What the monitored bot sends to POST /api/webhooks/:source. */
export const botEventSchema = z.object({
  type: z.enum(BOT_EVENT_TYPES),
  occurred_at: timestamp,
  conversation_id: label(256).optional(),
  message_id: label(256).optional(),
  latency_ms: z.number().min(0).max(3_600_000).optional(),
  /** The bot's release that handled it: the report compares the current release with the previous one. */
  release: label(MAX_RELEASE_CHARS).optional(),
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
  release: string | null;
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
    throw new ValidationError(`Webhook body is nested deeper than ${MAX_JSON_DEPTH} levels`, [
      { field: "body", message: `nested deeper than ${MAX_JSON_DEPTH} levels` },
    ]);
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
      event: { type: "delivery", occurredAt: null, conversationId: null, messageId: null, latencyMs: null, errorType: null, release: null },
    };
  }
  // The common, well-formed event is checked by hand (zod costs more than the rest of the
  // request's parsing); anything the hand check does not accept goes to the schema, which
  // accepts or names the problem exactly as before.
  const e = fastBotEvent(json as Record<string, unknown>) ?? parseInput(botEventSchema, json, "event");
  return {
    payload,
    event: {
      type: e.type,
      occurredAt: e.occurred_at,
      conversationId: e.conversation_id ?? null,
      messageId: e.message_id ?? null,
      latencyMs: e.latency_ms === undefined ? null : Math.round(e.latency_ms),
      errorType: e.type === "error" ? (e.error?.type ?? "unknown") : null,
      release: e.release ?? null,
    },
  };
}

type BotEvent = z.infer<typeof botEventSchema>;

// A strict subset of z.iso.datetime({ offset: true }): seconds, up to 9 fractional digits, Z or ±hh:mm.
const ISO =
  /^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,9})?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;
const isLabel = (v: unknown, max: number) =>
  v === undefined || (typeof v === "string" && v.length >= 1 && v.length <= max && !hasControlCharacters(v));

function fastTimestamp(v: unknown): number | undefined {
  let ms: number;
  if (typeof v === "string") {
    const m = ISO.exec(v);
    if (!m) return undefined;
    // The schema's date pattern knows month lengths and leap years: so does Date.UTC's round trip.
    const day = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
    if (day.getUTCDate() !== Number(m[3])) return undefined;
    ms = new Date(v).getTime();
  } else if (typeof v === "number" && Number.isSafeInteger(v) && v > 0) ms = new Date(v).getTime();
  else return undefined;
  return Number.isFinite(ms) && ms >= EARLIEST && ms < LATEST ? ms : undefined;
}

/** The schema's result for an event that certainly passes it; undefined: let the schema decide. */
function fastBotEvent(o: Record<string, unknown>): BotEvent | undefined {
  const occurredAt = fastTimestamp(o.occurred_at);
  if (occurredAt === undefined || !isLabel(o.conversation_id, 256) || !isLabel(o.message_id, 256) || !isLabel(o.release, MAX_RELEASE_CHARS))
    return undefined;
  const latency = o.latency_ms;
  if (latency !== undefined && !(typeof latency === "number" && latency >= 0 && latency <= 3_600_000)) return undefined;
  const error = o.error as { type?: unknown; message?: unknown } | undefined;
  if (error !== undefined) {
    if (typeof error !== "object" || error === null || Array.isArray(error) || error.type === undefined || !isLabel(error.type, 100))
      return undefined;
    if (error.message !== undefined && !(typeof error.message === "string" && error.message.length <= 2000)) return undefined;
  }
  return {
    type: o.type as BotEvent["type"],
    occurred_at: occurredAt,
    conversation_id: o.conversation_id as string | undefined,
    message_id: o.message_id as string | undefined,
    latency_ms: latency as number | undefined,
    release: o.release as string | undefined,
    error: error as BotEvent["error"],
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
      if (ch === 92)
        i++; // backslash: skip the escaped character
      else if (ch === 34) inString = false;
    } else if (ch === 34) inString = true;
    else if (ch === 91 || ch === 123) max = Math.max(max, ++depth);
    else if (ch === 93 || ch === 125) depth--;
  }
  return max;
}
