import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/log.js";
import { findLeaks, TEST_SECRETS, TRANSCRIPT_LINES } from "../helpers/log-leaks.js";

// The audit that runs after every test file (test/setup/log-audit.ts) is only worth something
// if it catches leaks: these show that it does, and that the logger's redaction keeps
// credentials passed under sensitive keys out of the line in the first place.

describe("the log audit", () => {
  it("finds every test secret, a logged credential and a transcript line", () => {
    for (const s of TEST_SECRETS) expect(findLeaks([`{"msg":"x","value":"${s}"}`]).length).toBeGreaterThan(0);
    expect(findLeaks(['{"msg":"request","header":"Bearer abcdefgh12345"}'])).toHaveLength(1);
    expect(findLeaks(['{"msg":"request","header":"Basic dXNlcjpwYXNzd29yZA=="}'])).toHaveLength(1);
    expect(TRANSCRIPT_LINES.length).toBeGreaterThan(40);
    expect(findLeaks([JSON.stringify({ msg: "judged", text: TRANSCRIPT_LINES[3] })])).toHaveLength(1);
    expect(findLeaks(['{"msg":"judged","session":"s-1","status":"pass"}'])).toEqual([]);
  });

  it("sees nothing to report when the logger is handed secrets under sensitive keys", () => {
    const lines: string[] = [];
    const log = createLogger({ level: "debug", sink: (l) => lines.push(l) });
    log.info("outbound call", {
      authorization: `Bearer ${TEST_SECRETS[1]}`,
      apiKey: TEST_SECRETS[5],
      transcript: TRANSCRIPT_LINES[0],
      headers: { Authorization: `Basic ${TEST_SECRETS[0]}` },
      webhookSecret: TEST_SECRETS[2],
    });
    expect(lines).toHaveLength(1);
    expect(findLeaks(lines)).toEqual([]);
  });
});
