import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { createLogger } from "../../src/log.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { testDeps, testEnv } from "../helpers/deps.js";
import { sendAt } from "../helpers/stability.js";
import { WEBHOOK_SECRET } from "../helpers/webhooks.js";

// A log line is read in a terminal (`vercel logs`) and split into lines by tools. JSON.stringify
// escapes C0 controls and quotes, so no value can end the line or forge a field, but it writes C1
// controls (U+0080–U+009F: U+009B is CSI on terminals that take 8-bit controls) and the Unicode
// line and paragraph separators (line terminators to JavaScript) as they are.
// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point.
const RAW = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

let t: TestDb;
beforeAll(async () => (t = await createTestDb()));
afterAll(() => t.cleanup());

describe("a log line holds no raw control or line separator, whatever the values", () => {
  it("newlines, quotes and fake fields stay inside their value", () => {
    const lines: string[] = [];
    const log = createLogger({ level: "debug", sink: (l) => lines.push(l) });
    const hostile = 'x"\n{"level":"error","msg":"fake"}\r\u001b[2J\u009b2J\u2028\u2029\u0085';
    log.info("request", { error_type: hostile, nested: { message: hostile } });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(RAW);
    const record = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(record).toMatchObject({ level: "info", msg: "request", error_type: hostile, nested: { message: hostile } });
  });

  it("a bot's error type with C1 controls is refused, and the request's log lines hold none of it", async () => {
    const deps = testDeps({ db: t.db, env: testEnv({ WEBHOOK_SECRET }) });
    const app = createApp(deps);
    // Error types refuse control characters (C0, C1) and U+2028 at the input: 400 naming the field.
    await expect(
      sendAt(app, deps.testClock, deps.testClock.now(), { type: "error", error: { type: "\u009b2J\u2028timeout" } }),
    ).rejects.toThrow(/400.*error\.type/);
    const lines = deps.logs.text().split("\n").filter(Boolean);
    expect(lines.some((l) => l.includes('"status":400'))).toBe(true);
    for (const line of lines) expect(line).not.toMatch(RAW);
  });
});
