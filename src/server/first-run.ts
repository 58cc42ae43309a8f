import { standardWebhookKey } from "../security/signing-keys.js";

/**
 * A shell command that signs and sends one Standard Webhooks event with curl and openssl: the
 * signature is base64(HMAC-SHA256(key, "<id>.<timestamp>.<body>")), the key being the base64
 * after `whsec_` decoded.
 */
function curlSignedEvent(baseUrl: string, secret: string, type = "message.received", source = "bot"): string {
  // The verifier's own key derivation, so the command signs exactly as Vigil checks.
  const hexKey = standardWebhookKey(secret).toString("hex");
  return [
    `ts="$(date +%s)"; id="msg_$(date +%s%N)"; body='{"type":"${type}","occurred_at":'"$ts"'000}'`,
    `sig="$(printf '%s' "$id.$ts.$body" | openssl dgst -sha256 -mac HMAC -macopt hexkey:${hexKey} -binary | base64)"`,
    `curl -sS -X POST ${baseUrl}/api/webhooks/${source} -H 'content-type: application/json' -H "webhook-id: $id" -H "webhook-timestamp: $ts" -H "webhook-signature: v1,$sig" -d "$body"`,
  ].join(" && \\\n  ");
}

/**
 * What a person needs after `npm run dev` with (partly) no configuration: where to look, the key,
 * and a first event to send. Secrets the person configured are never echoed, only generated ones.
 */
export function firstRunBanner(options: {
  baseUrl: string;
  apiKey?: string;
  webhookSecret?: string;
  secretsFile: string;
  generated: boolean;
}): string {
  const { baseUrl } = options;
  // The CLI assumes port 3000; on any other port the printed commands must say where Vigil is.
  const cli = new URL(baseUrl).port === "3000" ? "npm run monitor --" : `VIGIL_URL=${baseUrl} npm run monitor --`;
  return [
    "",
    `Vigil is running with local secrets ${options.generated ? "generated now" : "reused"} (${options.secretsFile}, mode 600; set them in .env to choose your own).`,
    `  Status page:  ${baseUrl}/status   (user: anything, password: the API key)`,
    `  API key:      ${options.apiKey ?? "yours, from VIGIL_API_KEY"}`,
    `  CLI:          ${cli} health        (finds ${options.apiKey ? "this key" : "the local secrets"} by itself)`,
    "  Send a signed test event, then reload the status page:",
    `  ${cli} send-event message.received`,
    ...(options.webhookSecret ? ["  or with curl + openssl:", `  ${curlSignedEvent(baseUrl, options.webhookSecret)}`] : []),
    "",
  ].join("\n");
}
