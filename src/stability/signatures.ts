import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from "node:crypto";
import { standardWebhookKey } from "../security/signing-keys.js";

export type SignatureFailureReason =
  | "no_secret"
  | "missing_signature"
  | "invalid_signature"
  | "malformed_timestamp"
  | "timestamp_too_old"
  | "timestamp_too_new"
  /** Not a signature check: a POST to a source that is not declared. */
  | "unknown_source";

export type Verification =
  | { ok: true; scheme: "standard-webhooks" | "hmac-sha256-hex"; webhookId: string | undefined }
  | { ok: false; reason: SignatureFailureReason };

type HeaderGetter = (name: string) => string | undefined;

// Decoded once per secret, not per webhook. Secrets come from configuration, so the map stays
// small; it is emptied if a caller ever passes many.
const keys = new Map<string, KeyObject>();
function keyFor(secret: string): KeyObject {
  let key = keys.get(secret);
  if (!key) {
    if (keys.size >= 64) keys.clear();
    key = createSecretKey(standardWebhookKey(secret));
    keys.set(secret, key);
  }
  return key;
}

const header = (get: HeaderGetter, name: string) => get(`webhook-${name}`) ?? get(`svix-${name}`);

/**
 * Verifies a request signed either with Standard Webhooks (webhook-id/-timestamp/-signature,
 * svix-* accepted as aliases) or with `X-Signature-256: sha256=<hex>` over the raw body.
 * Any of several secrets may match, so a secret can be rotated without downtime.
 */
export function verifySignature(options: {
  secrets: string[];
  headers: HeaderGetter;
  body: Uint8Array;
  nowSeconds: number;
  toleranceSeconds: number;
}): Verification {
  const { secrets, headers, body } = options;
  if (secrets.length === 0) return { ok: false, reason: "no_secret" };

  const id = header(headers, "id");
  const timestamp = header(headers, "timestamp");
  const signature = header(headers, "signature");
  if (id !== undefined || timestamp !== undefined || signature !== undefined) {
    if (!id || !timestamp || !signature) return { ok: false, reason: "missing_signature" };
    if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: "malformed_timestamp" };
    const skew = options.nowSeconds - Number(timestamp);
    if (skew > options.toleranceSeconds) return { ok: false, reason: "timestamp_too_old" };
    if (skew < -options.toleranceSeconds) return { ok: false, reason: "timestamp_too_new" };
    const given = signature
      .split(" ")
      .map((entry) => entry.split(","))
      .filter(([version, value]) => version === "v1" && value)
      .map(([, value]) => Buffer.from(value!));
    const prefix = `${id}.${timestamp}.`;
    // Compare the base64 text, not decoded bytes: lenient decoding would accept
    // non-canonical encodings that differ only in padding bits.
    const match = secrets.some((secret) => {
      const expected = Buffer.from(createHmac("sha256", keyFor(secret)).update(prefix).update(body).digest("base64"));
      return given.some((sig) => sig.length === expected.length && timingSafeEqual(sig, expected));
    });
    return match ? { ok: true, scheme: "standard-webhooks", webhookId: id } : { ok: false, reason: "invalid_signature" };
  }

  const hex = headers("x-signature-256");
  if (hex === undefined) return { ok: false, reason: "missing_signature" };
  const given = /^sha256=([0-9a-f]{64})$/i.exec(hex.trim());
  if (!given) return { ok: false, reason: "invalid_signature" };
  const givenBytes = Buffer.from(given[1]!, "hex");
  const match = secrets.some((secret) => timingSafeEqual(givenBytes, createHmac("sha256", secret).update(body).digest()));
  return match ? { ok: true, scheme: "hmac-sha256-hex", webhookId: undefined } : { ok: false, reason: "invalid_signature" };
}

/** Signs like a Standard Webhooks sender; used by Vigil's own alert webhook and by tests. */
export function signStandardWebhook(secret: string, id: string, timestampSeconds: number, body: string | Uint8Array): string {
  const payload = Buffer.concat([Buffer.from(`${id}.${timestampSeconds}.`), Buffer.from(body)]);
  return `v1,${createHmac("sha256", standardWebhookKey(secret)).update(payload).digest("base64")}`;
}
