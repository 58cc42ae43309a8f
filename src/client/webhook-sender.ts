import { randomUUID } from "node:crypto";
import { BOT_EVENT_TYPES, type BotEventType } from "../stability/bot-event.js";
import { signStandardWebhook } from "../stability/signatures.js";

// What a monitored bot does to report to Vigil: sign a JSON event the Standard Webhooks way and
// POST it. The CLI's send-event and the demo's simulated bot both send through this.

export const isBotEventType = (type: string): type is BotEventType => (BOT_EVENT_TYPES as readonly string[]).includes(type);

export interface SendResult {
  status: number;
  body: string;
  webhookId: string;
}

export async function sendSignedEvent(options: {
  url: string;
  source: string;
  secret: string;
  event: Record<string, unknown>;
  now: number;
  /** A replay reuses the id of an earlier delivery. */
  webhookId?: string;
  /** In-process senders (the demo's history) pass the app's own request function. */
  fetch?: (url: string, init: RequestInit) => Promise<Response> | Response;
}): Promise<SendResult> {
  const body = JSON.stringify(options.event);
  const webhookId = options.webhookId ?? `msg_${randomUUID()}`;
  const ts = Math.floor(options.now / 1000);
  const res = await (options.fetch ?? fetch)(`${options.url.replace(/\/$/, "")}/api/webhooks/${encodeURIComponent(options.source)}`, {
    method: "POST",
    body,
    headers: {
      "content-type": "application/json",
      "webhook-id": webhookId,
      "webhook-timestamp": String(ts),
      "webhook-signature": signStandardWebhook(options.secret, webhookId, ts, body),
    },
  });
  return { status: res.status, body: await res.text(), webhookId };
}

/** A plausible event of each type, so one `send-event` shows up in every matching chart. */
export function sampleEvent(type: BotEventType, now: number, conversationId = `conv_${randomUUID().slice(0, 8)}`): Record<string, unknown> {
  const base = { type, occurred_at: new Date(now).toISOString(), conversation_id: conversationId };
  if (type === "response.sent") return { ...base, latency_ms: 1200 };
  if (type === "error") return { ...base, error: { type: "test_error", message: "sent with npm run monitor -- send-event" } };
  return base;
}
