import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { COMMANDS } from "../../src/cli/commands.js";
import type { CliIo } from "../../src/cli/invocation.js";
import { createVigilClient, type VigilClient } from "../../src/client/vigil-client.js";
import { unconditional } from "../../src/db/guarded-batch.js";
import { resultInsert } from "../../src/monitoring/store/results.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { API_KEY, cronAuth, testDeps, testEnv } from "../helpers/deps.js";
import { sendAt } from "../helpers/stability.js";
import { WEBHOOK_SECRET } from "../helpers/webhooks.js";

// Free text recorded with the API key (task descriptions, progress notes, agents' error messages)
// and the judge's summaries (which a caller's transcript can steer) are printed by the CLI. A
// terminal obeys escape sequences in what it prints: these are the ones an attacker would send.
const HOSTILE = [
  "\x1b]8;;https://evil.example\x1b\\click here\x1b]8;;\x1b\\", // OSC 8 hyperlink with hidden target
  "\x1b[2J\x1b[H", // clear the screen
  "all good\r\x1b[32mcompleted", // overwrite the line in green
  "\x1b]0;pwned\x07", // set the window title
  "\u009b31m", // C1 CSI, read as ESC [ by terminals that take 8-bit controls
  "fine\nSESSION  deploy-ok  completed", // a fake table row
];
// ESC, BEL, CR, the C1 block and DEL: none may reach the terminal; a newline only where Vigil put it.
// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point.
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

let t: TestDb;
let client: VigilClient;
let deps: ReturnType<typeof testDeps>;

function io() {
  const out: string[] = [];
  const bytes: Uint8Array[] = [];
  const capture: CliIo = {
    out: (text) => void out.push(text),
    err: (text) => void out.push(text),
    write: async (chunk) => void bytes.push(chunk),
    confirm: async () => true,
  };
  return { capture, text: () => out.join("\n"), written: () => Buffer.concat(bytes).toString("utf8") };
}

async function run(name: string, args: string[] = [], json = false) {
  const o = io();
  await COMMANDS[name]!.run(client, { args, json, yes: true }, o.capture);
  return o.text();
}

beforeAll(async () => {
  t = await createTestDb();
  deps = testDeps({ db: t.db, env: testEnv({ WEBHOOK_SECRET }) });
  const app = createApp(deps);
  // A signed bot event: error types refuse control characters (C0, C1), but a bidirectional
  // override is text to the input check; the CLI must not let it reorder what is shown.
  await sendAt(app, deps.testClock, deps.testClock.now(), { type: "error", error: { type: "\u202eemit\u202ctimeout" } });
  client = createVigilClient({
    url: "http://vigil.test",
    apiKey: API_KEY,
    fetch: async (input, init) => app.fetch(new Request(input, init)),
  });
  const text = HOSTILE.join(" | ");
  await client.startOrchestration({ sessionId: "evil-run", taskDescription: text, totalTasks: 2 });
  await client.reportProgress("evil-run", { completedTasks: 0, message: text });
  await client.startAgentExecution({ agentSessionId: "evil-exec", agentName: "agent", orchestrationSessionId: "evil-run", taskNumber: 1 });
  await client.completeAgentExecution("evil-exec", {
    status: "failed",
    filesCreated: 0,
    filesModified: 0,
    retryCount: 0,
    selfHealed: false,
    errorMessage: text,
  });
  await client.completeOrchestration("evil-run", { status: "failed", completedTasks: 0, failedTasks: 2 });
  await t.db.batch(
    [
      unconditional(
        resultInsert({
          sessionId: "call-evil",
          activityVersion: 1,
          status: "fail",
          attempts: 1,
          analyzedAt: deps.testClock.now() - 60_000,
          usage: { tokensIn: 1, tokensOut: 1, costUsd: 0, model: "m" },
          intent: { intent: "book", confidence: 0.9, summary: "book" },
          fulfillment: {
            status: "fail",
            summary: HOSTILE[0]!,
            evidence: [],
            unmet: [],
            quality: { wrong_language: false, off_topic: false, repetitive: false, failed_to_answer: false, harmful: false },
          },
        }),
      ),
    ],
    "write",
  );
  // The heartbeat turns the failed run and step into alerts whose summaries carry the text.
  expect((await app.request("/api/cron/heartbeat", { headers: cronAuth })).status).toBe(200);
});
afterAll(() => t.cleanup());

describe("the CLI neutralises terminal control sequences in what it prints", () => {
  it.each([
    ["show", ["evil-run"]],
    ["failures", []],
    ["executions", ["evil-run"]],
    ["agent", ["agent"]],
    ["verdicts", []],
  ])("%s", async (name, args) => {
    const text = await run(name, args);
    expect(text).not.toMatch(RAW_CONTROL);
    // What the attacker wrote is still there to read, made visible.
    expect(text).toContain("\\x1b]8;;https://evil.example");
    // No line of the output is one the attacker made up.
    expect(text).not.toMatch(/^SESSION {2}deploy-ok/m);
  });

  it("alerts", async () => {
    const text = await run("alerts");
    expect(text).toContain("step_failure");
    expect(text).toContain("processing_errors");
    expect(text).not.toMatch(RAW_CONTROL);
  });

  it("report (the Markdown keeps its lines)", async () => {
    const text = await run("report");
    expect(text).toContain("\\u202eemit\\u202ctimeout");
    expect(text).toContain("\n## Metrics Summary\n");
    expect(text).not.toMatch(RAW_CONTROL);
  });

  it("export (bytes streamed to stdout) stays the same JSON, with C1 controls escaped", async () => {
    const o = io();
    await COMMANDS.export!.run(client, { args: ["evil-run"], json: false, yes: true }, o.capture);
    const json = o.written();
    expect(json).not.toMatch(RAW_CONTROL);
    expect(JSON.parse(json).orchestrations[0].taskDescription).toBe(HOSTILE.join(" | "));
  });

  it("--json output stays JSON of the same values, with C1 controls escaped", async () => {
    const text = await run("show", ["evil-run"], true);
    expect(text).not.toMatch(RAW_CONTROL);
    expect(JSON.parse(text).run.taskDescription).toBe(HOSTILE.join(" | "));
  });
});
