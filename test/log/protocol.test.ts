import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { captureLogs, testDeps, testEnv } from "../helpers/deps.js";
import { hasProgram, optionalSuite } from "../helpers/optional-program.js";
import { botEvent, signedRequest, WEBHOOK_SECRET } from "../helpers/webhooks.js";

// Seed 003's log protocol ("Every 4 Hours: Log Check"), in Vigil's terms: each of its greps is a
// jq filter over `vercel logs --json` records (the log line is the record's `message`), as the
// README's table writes them, and the log lines carry the fields that make each one exact.
const README_RECIPES = {
  webhookDeliveries: 'select(.route == "/api/webhooks/:source" and .status == 200 and .duplicate == false)',
  signaturesVerified: 'select(.route == "/api/webhooks/:source" and .status == 200 and .scheme != null)',
  signatureFailures: 'select(.msg == "signature failed")',
  messagesProcessed: 'select(.type == "message.processed")',
  vigilErrors: 'select(.level == "error")',
  botErrors: 'select(.type == "error") | .error_type',
  responseTimes: 'select(.type == "response.sent") | .latency_ms',
};

let t: TestDb;
const logs = captureLogs();
beforeAll(async () => {
  t = await createTestDb();
  const deps = testDeps({ db: t.db, logs, env: testEnv({ WEBHOOK_SECRET }) });
  deps.testClock.set(Date.now());
  const app = createApp(deps);
  const send = (body: unknown, options = {}) => app.request("/api/webhooks/bot", signedRequest(body, options));
  await send(botEvent("message.received", { conversation_id: "c1" }), { id: "msg_1" });
  await send(botEvent("message.received", { conversation_id: "c1" }), { id: "msg_1" }); // a redelivery
  await send(botEvent("message.processed", { conversation_id: "c1" }));
  await send(botEvent("response.sent", { conversation_id: "c1", latency_ms: 850 }));
  await send(botEvent("error", { conversation_id: "c2", error: { type: "grok_timeout", message: "model timed out" } }));
  await send(botEvent("message.received"), { secret: "whsec_d3Jvbmc=" });
});
afterAll(() => t.cleanup());

const lines = () => logs.text().split("\n");
const webhookLines = () => logs.records().filter((r) => r.route === "/api/webhooks/:source" && r.status === 200);

describe("log lines for the seed's checks", () => {
  it("an accepted webhook's line has its type, scheme and (when sent) latency, and no error field", () => {
    const accepted = webhookLines();
    expect(accepted.map((r) => r.type)).toEqual(["message.received", "message.received", "message.processed", "response.sent", "error"]);
    for (const r of accepted) expect(r).toMatchObject({ level: "info", scheme: "standard-webhooks", source: "bot" });
    expect(accepted.find((r) => r.type === "response.sent")).toMatchObject({ latency_ms: 850 });
    expect(accepted.find((r) => r.type === "error")).toMatchObject({ error_type: "grok_timeout" });
    // `grep -i error` matches the bot's reported error, not every accepted webhook.
    const grepError = lines().filter((l) => /error/i.test(l));
    expect(grepError.map((l) => JSON.parse(l).type)).toEqual(["error"]);
  });
});

describe("README § Logs", () => {
  it.each(Object.entries(README_RECIPES))("writes the %s recipe as tested here", (_name, filter) => {
    // In a Markdown table a `|` is written `\|`.
    expect(readFileSync("README.md", "utf8").replaceAll("\\|", "|")).toContain(filter);
  });
});

const jq = optionalSuite("jq", hasProgram("jq"), "apt-get install jq");
describe.runIf(jq.run)(jq.title("the README's jq recipes over `vercel logs --json` records"), () => {
  it("count what the seed's greps were meant to count", () => {
    // What `vercel logs --json` writes: one record per line, the log line escaped in `message`.
    const file = join(mkdtempSync(join(tmpdir(), "vigil-logs-")), "logs-hour-4.jsonl");
    writeFileSync(
      file,
      logs
        .records()
        .map((r) => JSON.stringify({ level: r.level === "info" ? "info" : "error", message: JSON.stringify(r) }))
        .join("\n"),
    );
    const run = (filter: string) =>
      spawnSync("jq", ["-c", `.message | fromjson? | ${filter}`, file], { encoding: "utf8" })
        .stdout.split("\n")
        .filter(Boolean);
    expect(run(README_RECIPES.webhookDeliveries)).toHaveLength(4);
    expect(run(README_RECIPES.signaturesVerified)).toHaveLength(5);
    expect(run(README_RECIPES.signatureFailures)).toHaveLength(1);
    expect(run(README_RECIPES.messagesProcessed)).toHaveLength(1);
    expect(run(README_RECIPES.vigilErrors)).toEqual([]);
    expect(run(README_RECIPES.botErrors)).toEqual(['"grok_timeout"']);
    expect(run(README_RECIPES.responseTimes)).toEqual(["850"]);
  });
});
