import { describe, expect, it } from "vitest";
import { MAX_CHARS, MAX_DEPTH, parseIo } from "../../src/monitoring/io-parse.js";

describe("parseIo (observation I/O as Langfuse serves it)", () => {
  it("parses v2's raw JSON strings, keeps plain text and v1's values", () => {
    expect(parseIo('[{"role":"user","content":"hi"}]')).toEqual({ value: [{ role: "user", content: "hi" }] });
    expect(parseIo("What is the capital of France?")).toEqual({ value: "What is the capital of France?" });
    expect(parseIo("[not json")).toEqual({ value: "[not json" });
    expect(parseIo({ role: "assistant", content: "ok" })).toEqual({ value: { role: "assistant", content: "ok" } });
    expect(parseIo(null)).toEqual({ value: null });
  });

  it("replaces I/O nested deeper than the limit, as text or as a value, without walking it recursively", () => {
    const deepText = `${"[".repeat(6000)}1${"]".repeat(6000)}`;
    expect(parseIo(deepText)).toMatchObject({
      value: expect.stringContaining("omitted"),
      problem: `nested more than ${MAX_DEPTH} levels deep`,
    });
    let deep: unknown = 1;
    for (let i = 0; i < 6000; i++) deep = [deep];
    expect(parseIo(deep)).toMatchObject({ problem: `nested more than ${MAX_DEPTH} levels deep` });
    // Brackets inside strings are text, not nesting.
    expect(parseIo(JSON.stringify({ note: "[".repeat(500) }))).toEqual({ value: { note: "[".repeat(500) } });
  });

  it("keeps only the last caller message of a history too large to store, and cuts other large text", () => {
    const history = [
      { role: "system", content: "x".repeat(MAX_CHARS) },
      { role: "user", content: "first" },
      { role: "assistant", content: "y" },
      { role: "user", content: "the latest question" },
    ];
    expect(parseIo(JSON.stringify(history))).toMatchObject({
      value: [{ role: "user", content: "the latest question" }],
      problem: expect.stringMatching(/kept its last 1 new message/),
    });
    const big = parseIo("z".repeat(MAX_CHARS + 10));
    expect(String(big.value)).toMatch(/truncated 10 chars/);
  });
});
