import { describe, expect, it } from "vitest";
import { parseRetryAfter } from "../../src/shared/retry-after.js";

const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);
const headers = (h: Record<string, string>) => new Headers(h);

describe("parseRetryAfter", () => {
  it.each([
    ["delay-seconds", { "retry-after": "120" }, 120_000],
    ["fractional seconds", { "retry-after": "1.5" }, 1_500],
    ["an HTTP-date in the future (RFC 9110 IMF-fixdate)", { "retry-after": "Mon, 23 Nov 2026 12:02:00 GMT" }, 120_000],
    ["an HTTP-date in the past: no wait", { "retry-after": "Mon, 23 Nov 2026 11:00:00 GMT" }, undefined],
    ["retry-after-ms (OpenAI, Azure)", { "retry-after-ms": "250" }, 250],
    ["retry-after-ms wins over retry-after", { "retry-after-ms": "250", "retry-after": "10" }, 250],
    ["an unusable retry-after-ms falls back to retry-after", { "retry-after-ms": "soon", "retry-after": "10" }, 10_000],
    ["zero", { "retry-after": "0" }, undefined],
    ["garbage", { "retry-after": "later please" }, undefined],
    ["a negative number", { "retry-after": "-5" }, undefined],
    ["absent", {}, undefined],
  ] as const)("%s", (_name, h, expected) => {
    expect(parseRetryAfter(headers(h), NOW)).toBe(expected);
  });

  it("accepts no headers at all (a network error has none)", () => {
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
  });
});
