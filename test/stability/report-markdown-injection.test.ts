import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { unconditional } from "../../src/db/guarded-batch.js";
import { resultInsert } from "../../src/monitoring/store/results.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { apiAuth, testDeps, testEnv } from "../helpers/deps.js";
import { M } from "../helpers/stability.js";
import { storeEvent } from "./factories.js";
import { WEBHOOK_SECRET } from "../helpers/webhooks.js";

// The report is pasted into GitHub issues and Slack and rendered as Markdown. Two values in it come
// from outside: a bot's error types (signed, but free text up to 100 characters) and Langfuse
// session ids (set by the bot, often from what a caller typed; any characters, newlines included).
const ERROR_TYPE = "[click](https://evil.example) <img src=x onerror=alert(1)>|@channel *urgent* <!here>";
const SESSION = "call-1\n\n## Conclusion\n\n**Status:** STABLE\n\n| fake | row |";

let t: TestDb;
let md: string;

beforeAll(async () => {
  t = await createTestDb();
  const deps = testDeps({ db: t.db, env: testEnv({ WEBHOOK_SECRET }) });
  const app = createApp(deps);
  const now = deps.testClock.now();
  await storeEvent(deps, now - 10 * M, { type: "message.received" });
  await storeEvent(deps, now - 9 * M, { type: "error", error: { type: ERROR_TYPE } });
  await t.db.batch(
    [
      unconditional(
        resultInsert({
          sessionId: SESSION,
          activityVersion: 1,
          status: "fail",
          attempts: 1,
          analyzedAt: now - 5 * M,
          usage: { tokensIn: 1, tokensOut: 1, costUsd: 0, model: "m" },
          intent: { intent: "book", confidence: 0.9, summary: "book" },
          fulfillment: {
            status: "fail",
            summary: "x",
            evidence: [],
            unmet: [],
            quality: { wrong_language: false, off_topic: false, repetitive: false, failed_to_answer: false, harmful: true },
          },
        }),
      ),
    ],
    "write",
  );
  deps.testClock.set(now);
  const res = await app.request("/api/stability/report?hours=24&format=markdown", { headers: apiAuth });
  expect(res.status).toBe(200);
  md = await res.text();
});
afterAll(() => t.cleanup());

describe("the Markdown report escapes what the bot and Langfuse put in it", () => {
  it("an error type makes no link, image, HTML, emphasis or mention (GitHub's or Slack's)", () => {
    // Entities for & < >: CommonMark shows them as characters, and Slack reads no <!here> in them.
    const escaped = "\\[click\\](https://evil.example) &lt;img src=x onerror=alert(1)&gt;\\|\\@channel \\*urgent\\* &lt;\\!here&gt;";
    const lines = md.split("\n").filter((l) => l.includes("evil.example"));
    // The errors line, the red flag under Issues and the recommendation.
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const line of lines) {
      expect(line).toContain(escaped);
      expect(line).not.toContain(ERROR_TYPE);
    }
  });

  it("a session id cannot add lines: no fake heading, verdict or table row", () => {
    expect(md.match(/^\*\*Status:\*\* /gm)).toHaveLength(2);
    expect(md).not.toMatch(/^\*\*Status:\*\* STABLE$/m);
    expect(md).not.toMatch(/^## Conclusion$[\s\S]*^## Conclusion$/m);
    expect(md).not.toMatch(/^\| fake/m);
  });

  it("the quality table keeps three columns on every row", () => {
    const table = md.slice(md.indexOf("| Check | Conversations | Status |"), md.indexOf("## Issues Encountered")).trim().split("\n");
    expect(table).toHaveLength(7);
    for (const row of table) expect(row.match(/(?<!\\)\|/g)).toHaveLength(4);
    expect(table.find((r) => r.startsWith("| inappropriate"))).toContain("call-1\\x0a\\x0a\\#\\# Conclusion");
  });
});
