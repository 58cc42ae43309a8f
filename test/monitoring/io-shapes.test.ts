import { describe, expect, it } from "vitest";
import { parseIo } from "../../src/monitoring/io-parse.js";
import { readIo } from "../../src/monitoring/io-shapes.js";
import { buildTranscript, type StoredObservation } from "../../src/monitoring/transcript.js";
import { SHAPE_BOT, SHAPE_CALLER, SHAPE_NAMES, shapeObservations } from "../../fixtures/io-shapes.js";

/** What the import stores: v2 serves I/O as raw JSON strings, parsed at import. */
const stored = (shape: (typeof SHAPE_NAMES)[number]): StoredObservation[] =>
  shapeObservations(shape, 0).map((o) => {
    const raw = (v: unknown) => (v === null || typeof v === "string" ? v : JSON.stringify(v));
    return { ...o, input: parseIo(raw(o.input)).value, output: parseIo(raw(o.output), "output").value };
  });

describe("every common I/O shape reads as the conversation it was", () => {
  it.each(SHAPE_NAMES)("%s: the caller's lines, the tool calls and results, the bot's replies, in order", (shape) => {
    const t = buildTranscript(stored(shape), 24_000);
    expect(t.unreadable).toEqual([]);
    expect(t.turns.filter((x) => x.role === "caller").map((x) => x.text)).toEqual(SHAPE_CALLER);
    expect(t.turns.filter((x) => x.role === "bot").map((x) => x.text)).toEqual(SHAPE_BOT);
    const roles = t.turns.map((x) => x.role).join(" ");
    // Each exchange: the caller, then what the tools did, then the reply (a tool span before the
    // plain-text generation that reports it comes first).
    expect(roles).toMatch(shape === "plain-text" ? /^tool caller bot tool caller bot$/ : /^caller (tool )+bot caller (tool )+bot$/);
    const tools = t.turns.filter((x) => x.role === "tool").map((x) => x.text);
    expect(tools.join("\n")).toContain("book_appointment");
    expect(tools.join("\n")).toContain("BK-4411");
    // A history repeats the exchange's tool call: it is one turn.
    expect(new Set(tools).size).toBe(tools.length);
  });

  it("a shape no reader knows is reported by its keys, never its content", () => {
    const t = buildTranscript(
      [
        {
          type: "GENERATION",
          name: "x",
          level: null,
          statusMessage: null,
          input: "Book me in, my card is 4111",
          output: { weird: { secret: "BK-1" }, n: 1 },
        },
      ],
      24_000,
    );
    expect(t.unreadable).toEqual(["output {weird,n}"]);
    expect(JSON.stringify(t.unreadable)).not.toMatch(/4111|BK-1|secret/);
    // One message list per prompt, as LangChain's chat-model callbacks hand them over.
    expect(
      readIo(
        [
          [
            { role: "system", content: "be nice" },
            { type: "human", content: "Hello" },
          ],
        ],
        "caller",
      ),
    ).toEqual({
      said: [
        { role: "system", text: "be nice" },
        { role: "caller", text: "Hello" },
      ],
    });
    // A role nobody writes is not guessed at either.
    expect(readIo([{ role: "narrator", content: "hello" }], "caller")).toEqual({ unreadable: "[{role,content}]" });
  });

  it("a history too large to store keeps what its generation adds, whatever its shape", () => {
    const contents = [
      { role: "user", parts: [{ text: "x".repeat(30_000) }] },
      { role: "model", parts: [{ text: "Anything else?" }] },
      { role: "user", parts: [{ text: "Yes, move it to Friday." }] },
    ];
    const parsed = parseIo(JSON.stringify({ contents }));
    expect(parsed.value).toEqual([{ role: "user", content: "Yes, move it to Friday." }]);
    const output = parseIo(
      JSON.stringify({
        messages: [
          { type: "human", content: "y".repeat(30_000) },
          { type: "ai", content: "Moved to Friday." },
        ],
      }),
      "output",
    );
    expect(output.value).toEqual([{ role: "assistant", content: "Moved to Friday." }]);
  });
});
