import { randomUUID } from "node:crypto";
import { sendSignedEvent } from "../src/client/webhook-sender.js";

// The simulated bot: for each message it reports what a real one would — received, processed,
// the reply's latency — with now and then an error, a slow reply, and (once) a request signed
// with a wrong secret, as a misconfigured sender would.

export interface BotTarget {
  url: string;
  source: string;
  secret: string;
  fetch?: (url: string, init: RequestInit) => Promise<Response> | Response;
}

interface ExchangeShape {
  latencyMs: number;
  error?: string;
  forged?: boolean;
}

/**
 * The n-th exchange of a deterministic stream. Live (n < 100): one in 15 fails, one in 9 is slow,
 * the 5th is signed with a wrong secret. History (n >= 100): healthy but for one bad half-hour.
 */
function exchangeShape(n: number): ExchangeShape {
  const incident = n >= 150 && n < 156;
  const slow = n < 100 ? n % 9 === 8 : incident && n % 2 === 1;
  const failed = n < 100 ? n % 15 === 14 : incident && n % 2 === 0;
  return {
    latencyMs: slow ? 11_000 + (n % 3) * 1500 : 700 + ((n * 379) % 1800),
    error: failed ? (n % 4 < 2 ? "llm_timeout" : "send_failed") : undefined,
    forged: n === 4,
  };
}

// History comes from the release before the live one, so the report and page compare the two.
const release = (n: number) => (n < 100 ? "2026.12.0" : "2026.11.3");

/** Sends one exchange's events, all timestamped `now`; returns the HTTP statuses. */
export async function sendExchange(target: BotTarget, n: number, now: number): Promise<number[]> {
  const shape = exchangeShape(n);
  const conversation_id = `wa_${randomUUID().slice(0, 12)}`;
  const at = new Date(now).toISOString();
  const send = (event: Record<string, unknown>, secret = target.secret) =>
    sendSignedEvent({
      url: target.url,
      source: target.source,
      secret,
      event: { occurred_at: at, conversation_id, release: release(n), ...event },
      now,
      fetch: target.fetch,
    }).then((r) => r.status);
  if (shape.forged)
    return [await send({ type: "message.received" }, `whsec_${Buffer.from("not-the-configured-secret-at-all").toString("base64")}`)];
  const statuses = [await send({ type: "message.received", message_id: `m_${n}` })];
  if (shape.error) {
    statuses.push(await send({ type: "error", error: { type: shape.error, message: "the model call failed" } }));
    return statuses;
  }
  statuses.push(await send({ type: "message.processed", message_id: `m_${n}` }));
  statuses.push(await send({ type: "response.sent", message_id: `m_${n}`, latency_ms: shape.latencyMs }));
  return statuses;
}
