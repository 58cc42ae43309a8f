import { oneLine } from "../security/control-characters.js";

/**
 * What the rollups cannot say: which reply was the slowest and what the bot's errors said. Read
 * from raw events (store/webhook-events.ts), and only when the rollups show there is something to
 * find (a latency over the limit, an error), so a healthy period never scans them.
 */

export interface SlowReplies {
  /** Replies over the response-time limit. */
  count: number;
  slowest: { latencyMs: number; at: number; source: string; conversationId: string | null } | null;
}

export interface ErrorGroup {
  type: string;
  count: number;
  firstAt: number;
  lastAt: number;
  /** Distinct conversation ids among the errors (errors without one are not counted here). */
  conversations: number;
  /** The newest message the bot sent with this type, on one line and bounded; null when none carried one. */
  latestMessage: string | null;
}

/** Messages are the bot's free text: one line, and short enough for an alert or a table cell. */
export const MESSAGE_MAX_CHARS = 300;

export const boundedMessage = (text: string) => {
  const line = oneLine(text).trim();
  return line.length > MESSAGE_MAX_CHARS ? `${line.slice(0, MESSAGE_MAX_CHARS - 1)}…` : line;
};

/** "send_failed ×3 in 2 conversation(s), latest: "WhatsApp API 500"": how an alert or a note names one group. */
export const describeErrorGroup = (g: ErrorGroup) =>
  `${g.type} ×${g.count}${g.conversations > 0 ? ` in ${g.conversations} conversation(s)` : ""}${g.latestMessage ? `, latest: "${g.latestMessage}"` : ""}`;
