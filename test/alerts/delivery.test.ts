import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_RULES } from "../../src/alerts/rules.js";
import { verifySignature } from "../../src/stability/signatures.js";
import { startAlertReceiver } from "../../fakes/alert-webhook-receiver.js";
import { startFakeSlack, type FakeSlack } from "../../fakes/slack-server.js";
import { alertWorld } from "../helpers/alerts.js";
import type { TestDb } from "../helpers/db.js";
import { apiAuth, cronAuth, testEnv } from "../helpers/deps.js";
import { storeSignatureFailure } from "../stability/factories.js";

let t: TestDb | undefined;
let slack: FakeSlack | undefined;
afterEach(async () => {
  await slack?.close();
  t?.cleanup();
  slack = undefined;
  t = undefined;
});

const MIN = 60_000;
const ALERT_SECRET = `whsec_${Buffer.from("alert-webhook-signing-key-01").toString("base64")}`;

/** The real Slack and webhook channels (pointed at the fakes), the default rules, a clock to move. */
async function world(extraEnv: Record<string, string> = {}) {
  slack = await startFakeSlack();
  const env = { WEBHOOK_SOURCES: "bot,a,b,c,d", SLACK_WEBHOOK_URL: slack.url, VIGIL_PUBLIC_URL: "https://vigil.example.com", ...extraEnv };
  const w = await alertWorld({ rules: DEFAULT_RULES, channels: "from env", env });
  t = w.t;
  return { ...w, forge: (source: string) => storeSignatureFailure(w.deps, source, w.deps.clock()) };
}

describe("Slack delivery through the outbox", () => {
  it("survives failures and rate limits: every message delivered exactly once when Slack recovers", async () => {
    const w = await world();
    await w.forge("bot");
    await w.evaluate();
    slack!.script.push({ status: 500 }, { status: 503 }, { status: 429, headers: { "retry-after": "120" } });
    const outcomes = [];
    for (let m = 0; m < 30; m++) {
      outcomes.push(await w.deliver());
      w.deps.testClock.advance(MIN);
    }
    expect(slack!.received).toHaveLength(1);
    expect(slack!.attempts).toBe(4);
    const msg = slack!.received[0]!;
    expect(msg.text).toContain("CRITICAL signature_failure");
    expect(msg.blocks[0]).toMatchObject({ type: "header" });
    expect(JSON.stringify(msg.blocks)).toContain("https://vigil.example.com/status");
    // The 429's Retry-After (120 s) was honoured: no attempt in the two minutes after it.
    const rows = await t!.db.execute("SELECT channel, attempts, sent_at, last_error FROM notifications WHERE channel = 'slack'");
    expect(rows.rows[0]).toMatchObject({ attempts: 4, last_error: null });
  });

  it("never sends a message twice when two heartbeats deliver at once", async () => {
    const w = await world();
    for (const s of ["a", "b", "c"]) await w.forge(s);
    await w.forge("d");
    await w.evaluate();
    await Promise.all(Array.from({ length: 5 }, () => w.deliver()));
    expect(slack!.received).toHaveLength(1);
    expect(slack!.received[0]!.blocks[1].text.text.split("\n")).toHaveLength(4);
  });

  it("two heartbeats through the cron route evaluate and send once", async () => {
    const w = await world();
    await w.forge("bot");
    const bodies = await Promise.all([0, 1].map(async () => (await w.app.request("/api/cron/heartbeat", { headers: cronAuth })).json()));
    expect(bodies.filter((b) => b.skipped === "locked")).toHaveLength(1);
    await w.app.request("/api/cron/heartbeat", { headers: cronAuth });
    expect(slack!.received).toHaveLength(1);
  });

  it("gives up a message Slack refuses for good, and records why", async () => {
    const w = await world();
    await w.forge("bot");
    await w.evaluate();
    slack!.script.push({ status: 404 });
    await w.deliver();
    w.deps.testClock.advance(10 * MIN);
    await w.deliver();
    expect(slack!.received).toHaveLength(0);
    const [alert] = (await t!.db.execute("SELECT id FROM alerts")).rows;
    const detail = await (await w.app.request(`/api/alerts/${alert!.id}`, { headers: apiAuth })).json();
    const slackNote = detail.notifications.find((n: { channel: string }) => n.channel === "slack");
    expect(slackNote).toMatchObject({ failedAt: expect.any(String), lastError: expect.stringContaining("HTTP 404"), sentAt: null });
    expect(w.deps.logs.records().some((r) => r.msg === "notification given up")).toBe(true);
  });
});

describe("the alert webhook channel", () => {
  /** A receiver of alert webhooks, and the env that points the channel at it. */
  async function receiver(answer?: Parameters<typeof startAlertReceiver>[0]) {
    const r = await startAlertReceiver(answer);
    return { received: r.received, env: { ALERT_WEBHOOK_URL: r.url, ALERT_WEBHOOK_SECRET: ALERT_SECRET }, close: r.close };
  }

  it("sends JSON signed with Standard Webhooks that the receiver can verify", async () => {
    const { received, env, close } = await receiver();
    try {
      const w = await world(env);
      await w.forge("bot");
      await w.evaluate();
      await w.deliver();
      expect(received).toHaveLength(1);
      const r = received[0]!;
      // Signed at the injected clock's time, not the machine's.
      expect(r.headers["webhook-timestamp"]).toBe(String(Math.floor(w.deps.clock() / 1000)));
      const check = verifySignature({
        secrets: [ALERT_SECRET],
        headers: (n) => r.headers[n],
        body: r.body,
        nowSeconds: Math.floor(w.deps.clock() / 1000),
        toleranceSeconds: 300,
      });
      expect(check).toMatchObject({ ok: true, scheme: "standard-webhooks" });
      expect(JSON.parse(r.body.toString())).toMatchObject({
        type: "alert.firing",
        rule: "signature_failure",
        severity: "critical",
        alerts: [{ labels: { source: "bot" } }],
      });
    } finally {
      close();
    }
  });

  it("survives a receiver that fails, rate-limits and drops the connection: delivered exactly once when it recovers", async () => {
    const answers = [500, 429, "drop", 503];
    let attempts = 0;
    const { received, env, close } = await receiver((req, res) => {
      const next = answers[attempts++];
      if (next === "drop") req.socket.destroy();
      else if (typeof next === "number") res.writeHead(next, next === 429 ? { "retry-after": "90" } : {}).end();
      return next === undefined;
    });
    try {
      const w = await world(env);
      await w.forge("bot");
      await w.evaluate();
      for (let m = 0; m < 40; m++) {
        // Two heartbeats deliver at once every minute: still one message.
        await Promise.all([w.deliver(), w.deliver()]);
        w.deps.testClock.advance(MIN);
      }
      expect(attempts).toBe(5);
      expect(received).toHaveLength(1);
      const rows = await t!.db.execute("SELECT attempts, sent_at, failed_at FROM notifications WHERE channel = 'webhook'");
      expect(rows.rows).toHaveLength(1);
      expect(rows.rows[0]).toMatchObject({ attempts: 5, failed_at: null });
      expect(rows.rows[0]!.sent_at).not.toBeNull();
    } finally {
      close();
    }
  });

  it("is refused at start without a signing secret", () => {
    expect(() => testEnv({ ALERT_WEBHOOK_URL: "http://127.0.0.1:1/x" })).toThrow(/ALERT_WEBHOOK_SECRET/);
  });
});

describe("alert routes", () => {
  it("list, detail with transitions and notifications, filters and validation", async () => {
    const w = await world();
    await w.forge("bot");
    await w.evaluate();
    await w.deliver();
    w.deps.testClock.advance(20 * MIN);
    await w.evaluate();
    await w.deliver();
    const firing = await (await w.app.request("/api/alerts?state=firing", { headers: apiAuth })).json();
    expect(firing.alerts).toHaveLength(0);
    const resolved = await (await w.app.request("/api/alerts?state=resolved", { headers: apiAuth })).json();
    expect(resolved.alerts).toHaveLength(1);
    const detail = await (await w.app.request(`/api/alerts/${resolved.alerts[0].id}`, { headers: apiAuth })).json();
    expect(detail.transitions.map((x: { to: string }) => x.to)).toEqual(["firing", "resolved"]);
    expect(detail.notifications.map((n: { kind: string; channel: string }) => `${n.kind}/${n.channel}`).sort()).toEqual([
      "firing/console",
      "firing/slack",
      "resolved/console",
      "resolved/slack",
    ]);
    expect((await w.app.request("/api/alerts?state=angry", { headers: apiAuth })).status).toBe(400);
    expect((await w.app.request("/api/alerts/999", { headers: apiAuth })).status).toBe(404);
    expect((await w.app.request("/api/alerts/abc", { headers: apiAuth })).status).toBe(400);
    const badSilence = await w.app.request("/api/silences", {
      method: "POST",
      headers: { ...apiAuth, "content-type": "application/json" },
      body: JSON.stringify({ matchers: {}, until: "soon", comment: "" }),
    });
    expect(badSilence.status).toBe(400);
  });
});
