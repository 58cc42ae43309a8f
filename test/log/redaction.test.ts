import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/log.js";

describe("log redaction", () => {
  it("redacts credentials under token-named keys but keeps token counts", () => {
    const lines: string[] = [];
    const log = createLogger({ level: "debug", sink: (l) => lines.push(l) });
    log.info("session analysed", {
      tokens: 1234,
      tokens_in: 1000,
      tokensOut: 234,
      max_tokens: 4096,
      authToken: "s3cr3t-a",
      access_token: "s3cr3t-b",
      TURSO_AUTH_TOKEN: "s3cr3t-c",
      token: "s3cr3t-d",
    });
    const record = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(record).toMatchObject({ tokens: 1234, tokens_in: 1000, tokensOut: 234, max_tokens: 4096 });
    expect([record.authToken, record.access_token, record.TURSO_AUTH_TOKEN, record.token]).toEqual([
      "[redacted]",
      "[redacted]",
      "[redacted]",
      "[redacted]",
    ]);
    expect(lines[0]).not.toMatch(/s3cr3t/);
  });
});
