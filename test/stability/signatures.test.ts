import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { verifySignature } from "../../src/stability/signatures.js";

// The official Standard Webhooks test vector (standard-webhooks/libraries).
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const TS = 1614265330;
const BODY = new TextEncoder().encode('{"test": 2432232314}');
const SIG = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

function verify(headers: Record<string, string | undefined>, opts: { secrets?: string[]; now?: number; body?: Uint8Array } = {}) {
  return verifySignature({
    secrets: opts.secrets ?? [SECRET],
    headers: (name) => headers[name],
    body: opts.body ?? BODY,
    nowSeconds: opts.now ?? TS,
    toleranceSeconds: 300,
  });
}
const std = (overrides: Record<string, string | undefined> = {}) => ({
  "webhook-id": ID,
  "webhook-timestamp": String(TS),
  "webhook-signature": SIG,
  ...overrides,
});

describe("Standard Webhooks verification (official vectors)", () => {
  it("accepts the official vector", () => {
    expect(verify(std())).toEqual({ ok: true, scheme: "standard-webhooks", webhookId: ID });
  });

  it('takes a secret without the whsec_ prefix as raw bytes (the reference library\'s format: "raw"), not as base64', () => {
    // Decoding unprefixed values as base64 is what let "x" or punctuation become an empty key.
    expect(verify(std(), { secrets: [SECRET.slice(6)] }).ok).toBe(false);
    const raw = "a-plain-secret-of-at-least-32-characters";
    const sig = `v1,${createHmac("sha256", Buffer.from(raw, "latin1")).update(`${ID}.${TS}.`).update(BODY).digest("base64")}`;
    expect(verify(std({ "webhook-signature": sig }), { secrets: [raw] }).ok).toBe(true);
  });

  it("accepts svix-* header names", () => {
    expect(verify({ "svix-id": ID, "svix-timestamp": String(TS), "svix-signature": SIG }).ok).toBe(true);
  });

  it.each([
    ["a tampered signature", { "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ2OE=" }, "invalid_signature"],
    // Differs only in base64 padding bits: decodes to the same bytes, still not the signature sent.
    ["a non-canonical encoding", { "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OF=" }, "invalid_signature"],
    ["a truncated signature", { "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1O" }, "invalid_signature"],
    ["an empty signature", { "webhook-signature": "v1," }, "invalid_signature"],
    ["a signature without version", { "webhook-signature": "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=" }, "invalid_signature"],
    ["only a non-v1 entry", { "webhook-signature": "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=" }, "invalid_signature"],
    ["a missing id", { "webhook-id": undefined }, "missing_signature"],
    ["a missing timestamp", { "webhook-timestamp": undefined }, "missing_signature"],
    ["a missing signature", { "webhook-signature": undefined }, "missing_signature"],
    ["a non-numeric timestamp", { "webhook-timestamp": "yesterday" }, "malformed_timestamp"],
    ["another id", { "webhook-id": "msg_other" }, "invalid_signature"],
  ])("rejects %s", (_name, overrides, reason) => {
    expect(verify(std(overrides))).toEqual({ ok: false, reason });
  });

  it("rejects a timestamp 301 s old or 301 s ahead, accepts 300 s", () => {
    expect(verify(std(), { now: TS + 301 })).toEqual({ ok: false, reason: "timestamp_too_old" });
    expect(verify(std(), { now: TS - 301 })).toEqual({ ok: false, reason: "timestamp_too_new" });
    expect(verify(std(), { now: TS + 300 }).ok).toBe(true);
    expect(verify(std(), { now: TS - 300 }).ok).toBe(true);
  });

  it("accepts when one of several listed signatures matches, ignoring non-v1 entries", () => {
    const many = `v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= ${SIG}`;
    expect(verify(std({ "webhook-signature": many })).ok).toBe(true);
  });

  it("rejects a changed body", () => {
    expect(verify(std(), { body: new TextEncoder().encode('{"test": 2432232315}') }).ok).toBe(false);
  });

  it("rotates: an old and a new secret both verify while both are listed", () => {
    const other = `whsec_${Buffer.from("another-secret-key-0123456789").toString("base64")}`;
    expect(verify(std(), { secrets: [other, SECRET] }).ok).toBe(true);
    expect(verify(std(), { secrets: [other] })).toEqual({ ok: false, reason: "invalid_signature" });
  });

  it("refuses everything when no secret is configured", () => {
    expect(verify(std(), { secrets: [] })).toEqual({ ok: false, reason: "no_secret" });
  });
});

describe("X-Signature-256 (hex HMAC of the raw body)", () => {
  const secret = "plain-provider-secret";
  const hex = (s: string) => `sha256=${createHmac("sha256", s).update(BODY).digest("hex")}`;

  it("accepts the right signature, in either case", () => {
    expect(verify({ "x-signature-256": hex(secret) }, { secrets: [secret] })).toEqual({
      ok: true,
      scheme: "hmac-sha256-hex",
      webhookId: undefined,
    });
    expect(verify({ "x-signature-256": hex(secret).toUpperCase().replace("SHA256", "sha256") }, { secrets: [secret] }).ok).toBe(true);
  });

  it.each([
    ["a wrong secret", () => hex("wrong")],
    ["a malformed value", () => "sha256=xyz"],
    ["a missing prefix", () => hex(secret).slice(7)],
  ])("rejects %s", (_n, value) => {
    expect(verify({ "x-signature-256": value() }, { secrets: [secret] })).toEqual({ ok: false, reason: "invalid_signature" });
  });

  it("reports a request with no signature at all as missing", () => {
    expect(verify({}, { secrets: [secret] })).toEqual({ ok: false, reason: "missing_signature" });
  });
});
