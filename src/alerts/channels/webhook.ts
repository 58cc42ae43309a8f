import { randomUUID } from "node:crypto";
import { signStandardWebhook } from "../../stability/signatures.js";
import { postJson } from "./http-post.js";
import type { ChannelDefinition } from "./sender.js";

/** A Standard Webhooks signed POST (ALERT_WEBHOOK_URL, signed with ALERT_WEBHOOK_SECRET). */
export const webhookChannel: ChannelDefinition = {
  fromEnv(env, { clock }) {
    const [url, secret] = [env.ALERT_WEBHOOK_URL, env.ALERT_WEBHOOK_SECRET];
    if (!url || !secret) return undefined;
    return (m) => {
      const body = JSON.stringify({ type: `alert.${m.kind}`, ...m });
      // The group key is the webhook id: a receiver deduplicates a redelivery by it.
      // With the kind: one evaluation can both resolve and fire alerts of a rule (two messages).
      const id = `alert_${Buffer.from(`${m.groupKey}:${m.kind}`).toString("base64url")}`;
      const now = clock();
      const ts = Math.floor(now / 1000);
      const headers = {
        "webhook-id": id,
        "webhook-timestamp": String(ts),
        "webhook-signature": signStandardWebhook(secret, id, ts, body),
        "x-vigil-delivery": randomUUID(),
      };
      return postJson(url, body, headers, "alert webhook", now);
    };
  },
};
