import type { App } from "../../src/app.js";
import type { TestClock } from "./deps.js";
import { signedRequest } from "./webhooks.js";

let seq = 0;

/** Sends one signed bot event as if it arrived at `at`. */
export async function sendAt(app: App, clock: TestClock, at: number, body: Record<string, unknown>, source = "bot") {
  clock.set(at);
  const res = await app.request(
    `/api/webhooks/${source}`,
    signedRequest({ occurred_at: new Date(at).toISOString(), ...body }, { id: `msg_${++seq}`, timestampSeconds: Math.floor(at / 1000) }),
  );
  if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
}

/** A healthy exchange: received, processed, answered in `latencyMs`. */
export async function healthyExchange(app: App, clock: TestClock, at: number, latencyMs = 2000) {
  await sendAt(app, clock, at, { type: "message.received" });
  await sendAt(app, clock, at + 1000, { type: "message.processed" });
  await sendAt(app, clock, at + 2000, { type: "response.sent", latency_ms: latencyMs });
}

export const H = 3600_000;
export const M = 60_000;
