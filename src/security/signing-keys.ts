// How a configured signing secret becomes an HMAC key, and when it is too weak to sign with.
// Standard Webhooks' reference library (standard-webhooks/standard-webhooks,
// libraries/javascript/src/index.ts) strips `whsec_` and base64-decodes the rest with a strict
// decoder, or takes the characters as bytes with `{ format: "raw" }`, and refuses an empty key.
// Vigil takes `whsec_` values the same way and any other value as raw bytes, and refuses keys
// an attacker could guess: fewer than 24 random bytes, fewer than 32 characters, or a value
// whose own symbols carry too little entropy (one repeated character, a short pattern repeated).

/** WEBHOOK_SECRET_<KEY> and WEBHOOK_SOURCES entries are matched by this form of a source name. */
export const sourceKey = (source: string) => source.toUpperCase().replace(/[^A-Z0-9]/g, "_");

const PREFIX = "whsec_";
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const MIN_WHSEC_BYTES = 24;
const MIN_PLAIN_CHARS = 32;

/** Why a secret cannot be used, or undefined when it is strong enough. */
export function secretWeakness(secret: string, options: { requirePrefix?: boolean } = {}): string | undefined {
  if (secret.startsWith(PREFIX)) {
    const encoded = secret.slice(PREFIX.length);
    if (!STRICT_BASE64.test(encoded)) return "a whsec_ secret must be valid base64 after the prefix";
    const bytes = Buffer.from(encoded, "base64").length;
    if (bytes < MIN_WHSEC_BYTES) return `a whsec_ secret must decode to at least ${MIN_WHSEC_BYTES} bytes (this one: ${bytes})`;
    return lowEntropy(Buffer.from(encoded, "base64"));
  }
  if (options.requirePrefix)
    return "must be a whsec_ secret (whsec_ + base64 of at least 24 random bytes), which receivers' Standard Webhooks libraries accept";
  if (secret.length < MIN_PLAIN_CHARS)
    return `a secret without the whsec_ prefix must be at least ${MIN_PLAIN_CHARS} characters (this one: ${secret.length})`;
  return lowEntropy(secret);
}

// The Shannon entropy of a value's own symbol frequencies, times its length, bounds what it can
// hold from above: 0 bits for one repeated character, 32 for "ab" repeated 16 times, ~64 for 16
// random characters, ~110 for 24 random bytes. Below these a value is a pattern, not a secret.
const MIN_BITS = 48;
const MIN_BITS_PER_SYMBOL = 2;

/** Why a secret (its characters, or its decoded bytes) is too regular to be one, or undefined. */
export function lowEntropy(secret: string | Uint8Array): string | undefined {
  const symbols = typeof secret === "string" ? [...secret] : [...secret];
  const counts = new Map<string | number, number>();
  for (const s of symbols) counts.set(s, (counts.get(s) ?? 0) + 1);
  let perSymbol = 0;
  for (const n of counts.values()) perSymbol -= (n / symbols.length) * Math.log2(n / symbols.length);
  const total = perSymbol * symbols.length;
  if (perSymbol >= MIN_BITS_PER_SYMBOL && total >= MIN_BITS) return undefined;
  return `too regular to be a secret (${counts.size} distinct ${typeof secret === "string" ? "characters" : "bytes"}, about ${Math.floor(total)} bits): generate a random one, e.g. \`openssl rand -base64 32\``;
}

/** The HMAC key of a Standard Webhooks secret: base64 after `whsec_`, otherwise the characters as bytes. */
export function standardWebhookKey(secret: string): Buffer {
  return secret.startsWith(PREFIX) ? Buffer.from(secret.slice(PREFIX.length), "base64") : Buffer.from(secret, "latin1");
}

/** A comma-separated list of secrets (several allow rotation). */
export const splitSecrets = (raw: string): string[] =>
  raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
