import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consoleChannel } from "../../src/alerts/channels/console.js";
import { slackChannel } from "../../src/alerts/channels/slack.js";
import { DEFAULT_RULES } from "../../src/alerts/rules.js";
import { createApp } from "../../src/app.js";
import { startFakeSlack, type FakeSlack } from "../../fakes/slack-server.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { apiAuth, cronAuth, testDeps, testEnv } from "../helpers/deps.js";

// An agent's error message is free text recorded with the API key (up to 10,000 characters,
// newlines allowed), and a rules file may send step failures to Slack. What it may not do there:
// write lines of its own into Vigil's message, or have Slack turn plain text into mentions.
const ERROR = "disk full\n• ✅ all runs healthy, nothing to do — since 2026-11-23T10:00:00.000Z\n@channel @here see #general";

let t: TestDb;
let slack: FakeSlack;
interface TextObject {
  type: string;
  text: string;
  verbatim?: boolean;
}
interface Block {
  type: string;
  text?: TextObject;
  elements?: TextObject[];
}
let body: { text: string; blocks: Block[] };

beforeAll(async () => {
  t = await createTestDb();
  slack = await startFakeSlack();
  const env = testEnv({ SLACK_WEBHOOK_URL: slack.url });
  const rules = DEFAULT_RULES.map((r) => (r.name === "step_failure" ? { ...r, channels: ["console" as const, "slack" as const] } : r));
  const deps = testDeps({ db: t.db, env });
  const ctx = { log: deps.log, clock: deps.clock };
  deps.alerts = { rules, channels: { console: consoleChannel.fromEnv(env, ctx)!, slack: slackChannel.fromEnv(env, ctx)! } };
  const app = createApp(deps);
  const post = (path: string, json: unknown) =>
    app.request(path, { method: "POST", headers: { ...apiAuth, "content-type": "application/json" }, body: JSON.stringify(json) });
  expect((await post("/api/executions", { agentSessionId: "exec-1", agentName: "backend-agent" })).status).toBe(201);
  const done = await post("/api/executions/exec-1/complete", {
    status: "failed",
    filesCreated: 0,
    filesModified: 0,
    retryCount: 0,
    selfHealed: false,
    errorMessage: ERROR,
  });
  expect(done.status).toBe(200);
  expect((await app.request("/api/cron/heartbeat", { headers: cronAuth })).status).toBe(200);
  expect(slack.received).toHaveLength(1);
  body = slack.received[0] as typeof body;
});
afterAll(async () => {
  await slack.close();
  t.cleanup();
});

describe("Slack messages carry outside text as text", () => {
  it("an error message adds no line of its own to the message or its notification text", () => {
    const section = body.blocks.find((b) => b.type === "section")!.text!;
    // One alert, one line.
    expect(section.text.split("\n")).toHaveLength(1);
    expect(section.text).toContain("disk full");
    expect(body.text.split("\n")).toHaveLength(1);
  });

  it("mrkdwn is verbatim: Slack does not turn plain @channel, #channel or URLs into mentions and links", () => {
    // docs.slack.dev/reference/block-kit/composition-objects/text-object: with verbatim false (the
    // default) "certain mentions will be automatically parsed"; true leaves plain text as it is.
    const mrkdwn = body.blocks.flatMap((b) => [b.text, ...(b.elements ?? [])]).filter((x) => x?.type === "mrkdwn");
    expect(mrkdwn.length).toBeGreaterThan(0);
    for (const text of mrkdwn) expect(text!.verbatim).toBe(true);
  });
});
