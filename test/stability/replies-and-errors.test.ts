import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { API_KEY, apiAuth, cronAuth, testDeps, testEnv } from "../helpers/deps.js";
import { M } from "../helpers/stability.js";
import { storeEvent, storeExchange } from "./factories.js";
import { WEBHOOK_SECRET } from "../helpers/webhooks.js";

// Seed 003: "Response time under 10 seconds for *all* messages", "Bot not responding to
// messages" is CRITICAL, and every issue is documented with its "full error message" and its
// impact. Each reaches the report, the log, the page and the alert.
let t: TestDb | undefined;
afterEach(() => t?.cleanup());

const start = Date.parse("2026-11-23T08:00:00Z");

async function world() {
  t = await createTestDb();
  const deps = testDeps({ db: t.db, env: testEnv({ WEBHOOK_SECRET }) });
  const app = createApp(deps);
  return {
    deps,
    app,
    report: async () => (await app.request("/api/stability/report?hours=24", { headers: apiAuth })).json(),
    markdown: async () => (await app.request("/api/stability/report?hours=24&format=markdown", { headers: apiAuth })).text(),
    page: async () => (await app.request("/status", { headers: { authorization: `Basic ${btoa(`u:${API_KEY}`)}` } })).text(),
    firing: async () => {
      await app.request("/api/cron/heartbeat", { headers: cronAuth });
      const { alerts } = await (await app.request("/api/alerts?state=firing", { headers: apiAuth })).json();
      return alerts as { rule: string; severity: string; summary: string; labels: Record<string, string> }[];
    },
  };
}

describe("every reply under the threshold", () => {
  it("one 14 s reply among 40 fast ones is a warning with its time and conversation; the average still passes", async () => {
    const w = await world();
    for (let i = 0; i < 40; i++) await storeExchange(w.deps, start + i * M, 1500);
    await storeEvent(w.deps, start + 41 * M, { type: "message.received", conversation_id: "c-slow" });
    await storeEvent(w.deps, start + 41 * M + 14_000, {
      type: "response.sent",
      latency_ms: 14_000,
      conversation_id: "c-slow",
    });
    w.deps.testClock.set(start + 50 * M);
    const r = await w.report();
    expect(r.slowReplies).toEqual({
      count: 1,
      slowest: { latencyMs: 14_000, at: "2026-11-23T08:41:14.000Z", source: "bot", conversationId: "c-slow" },
    });
    expect(r.redFlags.map((f: { severity: string; kind: string }) => [f.severity, f.kind])).toEqual([["warning", "slow_replies"]]);
    expect(r.redFlags[0].message).toContain("1 of 41 replies took over 10000 ms; the slowest 14000 ms");
    expect(r.checks.find((c: { name: string }) => c.name === "avg_response_time")).toMatchObject({ state: "pass" });
    expect(r.labels.performant).toBe("no");
    const md = await w.markdown();
    expect(md).toContain("| Replies over the limit | 1 | ✗ |");
    expect(md).toContain("**PERFORMANT:** NO");
    expect(await w.page()).toContain("1 reply over it (slowest 14 s at 2026-11-23 08:41 UTC in c-slow)");
  });
});

describe("bot not responding", () => {
  it("20 messages over 10 minutes and no reply: a critical red flag and alert, resolved when replies return", async () => {
    const w = await world();
    for (let i = 0; i < 5; i++) await storeExchange(w.deps, start + i * M, 1500);
    for (let i = 0; i < 20; i++)
      await storeEvent(w.deps, start + 10 * M + i * 30_000, { type: "message.received", conversation_id: `c-${i}` });
    w.deps.testClock.set(start + 22 * M);
    const r = await w.report();
    const flag = r.redFlags.find((f: { kind: string }) => f.kind === "bot_not_responding");
    expect(flag).toMatchObject({ severity: "critical", at: "2026-11-23T08:10:00.000Z" });
    expect(flag.message).toBe("bot not responding: 20 message(s) received from 2026-11-23T08:10:00.000Z and no reply sent since");
    expect(r.status).toBe("NEEDS_ATTENTION");
    expect(await w.markdown()).toMatch(/\*\*CRITICAL\*\* bot_not_responding: bot not responding: 20 message\(s\)/);

    const [alert] = (await w.firing()).filter((a) => a.rule === "bot_not_responding");
    expect(alert).toMatchObject({ severity: "critical", labels: { source: "bot" } });
    expect(alert!.summary).toMatch(/^bot not responding: \d+ message\(s\) received from bot in 10 min and no reply sent since/);

    await storeEvent(w.deps, start + 23 * M, { type: "response.sent", latency_ms: 2000, conversation_id: "c-19" });
    expect((await w.firing()).filter((a) => a.rule === "bot_not_responding")).toEqual([]);
    // The stretch now ends at the reply.
    const after = await w.report();
    expect(after.redFlags.find((f: { kind: string }) => f.kind === "bot_not_responding").message).toBe(
      "bot not responding: 20 message(s) received from 2026-11-23T08:10:00.000Z and no reply sent until 2026-11-23T08:23:00.000Z",
    );
  });

  it("a bot that never reports replies is not called silent", async () => {
    const w = await world();
    for (let i = 0; i < 20; i++) await storeEvent(w.deps, start + i * 30_000, { type: "message.received" });
    w.deps.testClock.set(start + 30 * M);
    expect((await w.report()).redFlags.map((f: { kind: string }) => f.kind)).not.toContain("bot_not_responding");
    expect((await w.firing()).map((a) => a.rule)).not.toContain("bot_not_responding");
  });
});

describe("error messages and impact", () => {
  it("groups errors by type with count, first/last seen, the latest message (one line, bounded) and conversations affected", async () => {
    const w = await world();
    await storeExchange(w.deps, start, 1500);
    const error = (at: number, conversation: string, message?: string, type = "send_failed") =>
      storeEvent(w.deps, at, {
        type: "error",
        conversation_id: conversation,
        error: { type, ...(message ? { message } : {}) },
      });
    await error(start + 2 * M, "c-1", "WhatsApp API 500");
    await error(start + 3 * M, "c-2", "WhatsApp API 429: rate limited\n## Conclusion\n**Status:** STABLE\u001b[2J");
    await error(start + 4 * M, "c-2");
    await error(start + 5 * M, "c-3", `${"x".repeat(1990)}`, "llm_timeout");
    w.deps.testClock.set(start + 10 * M);

    const r = await w.report();
    expect(r.errors).toEqual([
      {
        type: "send_failed",
        count: 3,
        firstAt: "2026-11-23T08:02:00.000Z",
        lastAt: "2026-11-23T08:04:00.000Z",
        conversations: 2,
        // The newest that carried a message; control characters and line breaks become spaces.
        latestMessage: "WhatsApp API 429: rate limited ## Conclusion **Status:** STABLE [2J",
      },
      {
        type: "llm_timeout",
        count: 1,
        firstAt: "2026-11-23T08:05:00.000Z",
        lastAt: "2026-11-23T08:05:00.000Z",
        conversations: 1,
        latestMessage: `${"x".repeat(299)}…`,
      },
    ]);
    const md = await w.markdown();
    expect(md).toContain(
      '  - send_failed: 3 (first 2026-11-23T08:02:00Z, last 2026-11-23T08:04:00Z, 2 conversation(s) affected) — latest message: "WhatsApp API 429: rate limited \\#\\# Conclusion \\*\\*Status:\\*\\* STABLE \\[2J"',
    );
    expect(md.split("\n").filter((l) => l.startsWith("**Status:**"))).toEqual([
      "**Status:** NEEDS ATTENTION",
      "**Status:** NEEDS ATTENTION",
    ]);
    expect(await w.page()).toContain("WhatsApp API 429: rate limited ## Conclusion **Status:** STABLE [2J");

    const [alert] = (await w.firing()).filter((a) => a.rule === "processing_errors");
    expect(alert!.summary).toContain('send_failed ×3 in 2 conversation(s), latest: "WhatsApp API 429: rate limited');
    // The bot's text goes to the report, the page and the alert, never into a log line.
    expect(w.deps.logs.text()).not.toContain("rate limited");
  });

  it("the public status page shows the counts but not the bot's text", async () => {
    t = await createTestDb();
    const deps = testDeps({ db: t.db, env: testEnv({ WEBHOOK_SECRET, STATUS_PAGE: "public" }) });
    const app = createApp(deps);
    await storeEvent(deps, start, {
      type: "error",
      conversation_id: "c-1",
      error: { type: "send_failed", message: "token abc" },
    });
    deps.testClock.set(start + M);
    const html = await (await app.request("/status")).text();
    expect(html).toContain("send_failed");
    expect(html).not.toContain("token abc");
  });
});
