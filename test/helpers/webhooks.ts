import { createHmac, randomUUID } from "node:crypto";
import { signStandardWebhook } from "../../src/stability/signatures.js";

export const WEBHOOK_SECRET = "whsec_CdRmtVLop//24EYiA/sj3hyV6JQH+zCyxVX7nCOzbSI=";

/** A Standard Webhooks request as a real sender would build it. */
export function signedRequest(
  body: unknown,
  options: { secret?: string; id?: string; timestampSeconds?: number; headerPrefix?: "webhook" | "svix" } = {},
): RequestInit & { headers: Record<string, string> } {
  const raw = typeof body === "string" ? body : JSON.stringify(body);
  const id = options.id ?? `msg_${randomUUID()}`;
  const ts = options.timestampSeconds ?? Math.floor(Date.now() / 1000);
  const p = options.headerPrefix ?? "webhook";
  return {
    method: "POST",
    body: raw,
    headers: {
      "content-type": "application/json",
      [`${p}-id`]: id,
      [`${p}-timestamp`]: String(ts),
      [`${p}-signature`]: signStandardWebhook(options.secret ?? WEBHOOK_SECRET, id, ts, raw),
    },
  };
}

export function hexSignedRequest(body: unknown, secret: string, extraHeaders: Record<string, string> = {}) {
  const raw = typeof body === "string" ? body : JSON.stringify(body);
  const sig = createHmac("sha256", secret).update(raw).digest("hex");
  return {
    method: "POST",
    body: raw,
    headers: { "content-type": "application/json", "x-signature-256": `sha256=${sig}`, ...extraHeaders },
  };
}

export const botEvent = (type: string, extra: Record<string, unknown> = {}) => ({
  type,
  occurred_at: new Date().toISOString(),
  ...extra,
});
