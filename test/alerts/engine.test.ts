import { afterEach, describe, expect, it } from "vitest";
import { unconditional } from "../../src/db/guarded-batch.js";
import { eventInsert } from "../../src/event-log/event-log.js";
import { resultInsert } from "../../src/monitoring/store/results.js";
import { setState } from "../../src/monitoring/store/state.js";
import { detectRunTransitions } from "../../src/runs/detectors.js";

import { DEFAULT_RULES, ruleSchema } from "../../src/alerts/rules.js";
import { alertWorld, type AlertWorld } from "../helpers/alerts.js";
import { apiAuth, cronAuth } from "../helpers/deps.js";
import { storeEvent, storeSignatureFailure } from "../stability/factories.js";
import { pastTraffic } from "../stability/past-traffic.js";
import { storeExecution, storeExecutionEnd, storeProgress, storeRun, storeRunEnd } from "../runs/factories.js";

let w: AlertWorld | undefined;
afterEach(() => {
  w?.t.cleanup();
  w = undefined;
});

const MIN = 60_000;
const advance = (world: AlertWorld, ms: number) => world.deps.testClock.advance(ms);
const now = (world: AlertWorld) => world.deps.clock();
const event = (world: AlertWorld, type: "archival_failure", subject: string, payload: Record<string, unknown>) =>
  world.t.db.execute(unconditional(eventInsert({ type, subject, dedupeKey: `${type}:${subject}:${now(world)}`, payload, at: now(world) })));
const result = (world: AlertWorld, i: number, status: string) =>
  world.t.db.execute({
    sql: "INSERT INTO monitoring_results (session_id, activity_version, verification_status, analyzed_at) VALUES (?, 1, ?, ?)",
    args: [`s-${i}-${now(world)}`, status, now(world)],
  });

/** A judged conversation with quality flags, as the monitor stores it. */
const judged = (world: AlertWorld, flags: Record<string, boolean>) =>
  world.t.db.execute(
    unconditional(
      resultInsert({
        sessionId: `s-${Object.keys(flags).join("-")}-${now(world)}`,
        activityVersion: 1,
        status: "fail",
        attempts: 1,
        analyzedAt: now(world),
        usage: { tokensIn: 1, tokensOut: 1, costUsd: 0, model: "m" },
        intent: { intent: "book", confidence: 0.9, summary: "s" },
        fulfillment: {
          status: "fail",
          summary: "s",
          evidence: [],
          unmet: [],
          quality: { wrong_language: false, off_topic: false, repetitive: false, failed_to_answer: false, harmful: false, ...flags },
        },
      }),
    ),
  );

interface Case {
  rule: string;
  labels: Record<string, string>;
  fire(w: AlertWorld): unknown;
  clear(w: AlertWorld): unknown;
}

const CASES: Case[] = [
  {
    rule: "run_completed",
    labels: { session: "r0" },
    fire: async (w) => {
      await storeRun(w.deps, { sessionId: "r0", taskDescription: "t", totalTasks: 2 });
      await storeRunEnd(w.deps, "r0", { status: "completed", completedTasks: 2, failedTasks: 0 });
    },
    clear: async (w) => advance(w, 16 * MIN),
  },
  {
    rule: "run_failed",
    labels: { session: "r1" },
    fire: async (w) => {
      await storeRun(w.deps, { sessionId: "r1", taskDescription: "t", totalTasks: 2 });
      await storeRunEnd(w.deps, "r1", { status: "failed", completedTasks: 0, failedTasks: 2 });
    },
    clear: async (w) => advance(w, 16 * MIN),
  },
  {
    rule: "archival_failure",
    labels: { session: "r2" },
    fire: (w) => event(w, "archival_failure", "r2", { sessionId: "r2", reason: "sha256 mismatch" }),
    clear: async (w) => advance(w, 31 * MIN),
  },
  {
    rule: "run_stalled",
    labels: { session: "r3" },
    fire: async (w) => {
      await storeRun(w.deps, { sessionId: "r3", taskDescription: "t", totalTasks: 2 });
      advance(w, 31 * MIN);
      await detectRunTransitions(w.deps, now(w), w.deps.settings.runs);
    },
    clear: (w) => storeProgress(w.deps, "r3", { completedTasks: 1 }),
  },
  {
    rule: "step_failure",
    labels: { execution: "e1" },
    fire: async (w) => {
      await storeExecution(w.deps, { agentSessionId: "e1", agentName: "coder" });
      await storeExecutionEnd(w.deps, "e1", {
        status: "failed",
        filesCreated: 0,
        filesModified: 0,
        retryCount: 1,
        selfHealed: false,
        errorMessage: "tsc",
      });
    },
    clear: async (w) => advance(w, 31 * MIN),
  },
  {
    rule: "signature_failure",
    labels: { source: "bot" },
    fire: (w) => storeSignatureFailure(w.deps, "bot", now(w)),
    clear: async (w) => advance(w, 16 * MIN),
  },
  {
    rule: "zero_deliveries",
    labels: { source: "bot" },
    fire: async (w) => {
      await storeEvent(w.deps, now(w), { type: "message.received" });
      advance(w, 62 * MIN);
    },
    clear: (w) => storeEvent(w.deps, now(w), { type: "message.received" }),
  },
  {
    rule: "processing_errors",
    labels: { source: "bot" },
    fire: (w) => storeEvent(w.deps, now(w), { type: "error", error: { type: "llm_timeout" } }),
    clear: async (w) => advance(w, 16 * MIN),
  },
  {
    rule: "error_rate",
    labels: { source: "bot" },
    fire: async (w) => {
      for (let i = 0; i < 10; i++) await storeEvent(w.deps, now(w), { type: "message.received" });
      await storeEvent(w.deps, now(w), { type: "error", error: { type: "send_failed" } });
    },
    clear: async (w) => {
      advance(w, 61 * MIN);
      // Keep the source delivering so zero_deliveries stays quiet.
      await storeEvent(w.deps, now(w), { type: "message.received" });
    },
  },
  {
    rule: "response_time",
    labels: { source: "bot" },
    fire: (w) => storeEvent(w.deps, now(w), { type: "response.sent", latency_ms: 15_000 }),
    clear: async (w) => advance(w, 61 * MIN),
  },
  {
    rule: "bot_not_responding",
    labels: { source: "bot" },
    // A bot that replies, then receives 8 messages over 8 minutes and answers none.
    fire: async (w) => {
      const t0 = now(w);
      await storeEvent(w.deps, t0, { type: "response.sent", latency_ms: 900 });
      for (let i = 1; i <= 8; i++) await storeEvent(w.deps, t0 + i * MIN, { type: "message.received" });
      w.deps.testClock.set(t0 + 14 * MIN);
    },
    // Replies return.
    clear: (w) => storeEvent(w.deps, now(w), { type: "response.sent", latency_ms: 900 }),
  },
  { rule: "harmful_responses", labels: {}, fire: (w) => judged(w, { harmful: true }), clear: async (w) => advance(w, 61 * MIN) },
  {
    rule: "response_quality",
    labels: { flag: "off_topic" },
    fire: (w) => judged(w, { off_topic: true }),
    clear: async (w) => advance(w, 61 * MIN),
  },
  {
    rule: "fulfillment_failure_rate",
    labels: {},
    fire: async (w) => {
      for (let i = 0; i < 10; i++) await result(w, i, i < 5 ? "fail" : "pass");
    },
    clear: async (w) => advance(w, 61 * MIN),
  },
  { rule: "monitoring_errors", labels: {}, fire: (w) => result(w, 0, "error"), clear: async (w) => advance(w, 61 * MIN) },
  {
    rule: "job_missed",
    labels: { job: "monitor" },
    fire: async (w) => {
      for (const job of ["heartbeat", "monitor", "checkpoint"]) await w.app.request(`/api/cron/${job}`, { headers: cronAuth });
      advance(w, 12 * MIN);
      await w.app.request("/api/cron/heartbeat", { headers: cronAuth });
    },
    clear: (w) => w.app.request("/api/cron/monitor", { headers: cronAuth }),
  },
  {
    rule: "judge_budget_exhausted",
    labels: {},
    fire: (w) => setState(w.t.db, "judge_budget_exhausted_at", String(now(w)), now(w)),
    clear: async (w) => advance(w, 11 * MIN),
  },
  {
    rule: "monitoring_lag",
    labels: {},
    // The Langfuse import's watermark 40 minutes behind, then caught up.
    fire: (w) => setState(w.t.db, "watermark", String(now(w) - 40 * MIN), now(w)),
    clear: (w) => setState(w.t.db, "watermark", String(now(w)), now(w)),
  },
  {
    rule: "scores_refused",
    labels: {},
    // Langfuse refused a verdict's scores (400 in the 207); an hour later the window is clear.
    fire: (w) =>
      w.t.db.execute({
        sql: `INSERT INTO monitoring_results (session_id, activity_version, verification_status, analyzed_at, scores_written_at, scores_refused)
              VALUES ('s-refused', 1, 'pass', ?, ?, '400: Invalid request data')`,
        args: [now(w), now(w)],
      }),
    clear: async (w) => advance(w, 61 * MIN),
  },
  {
    rule: "regression",
    labels: { scope: "bot" },
    // A steady week, then an hour with one error in four: then a day later, neither window has traffic.
    fire: async (w) => {
      await pastTraffic(w.t.db, { from: now(w) - 8 * 1440 * MIN, to: now(w) - 60 * MIN, everyMs: 20_000, tag: "week" });
      await pastTraffic(w.t.db, { from: now(w) - 60 * MIN, to: now(w), everyMs: 20_000, tag: "bad", errorEvery: 4 });
    },
    clear: async (w) => advance(w, 25 * 60 * MIN),
  },
  {
    rule: "conversation_cost",
    labels: { scope: "conversations" },
    // The same hour of each of 7 days at about $0.01 a conversation, then an hour at about $0.03.
    fire: async (w) => {
      const costs = (end: number, n: number, usd: number, tag: string) =>
        Array.from({ length: n }, (_, i) => ({
          sql: "INSERT INTO monitoring_results (session_id, activity_version, verification_status, analyzed_at, conversation_cost_usd) VALUES (?, 1, 'pass', ?, ?)",
          args: [`${tag}-${i}`, end - 60 * MIN + i * MIN, usd * (1 + (i % 5) / 10)],
        }));
      const days = Array.from({ length: 7 }, (_, d) => costs(now(w) - (d + 1) * 1440 * MIN, 20, 0.01, `day${d}`));
      await w.t.db.batch([...days.flat(), ...costs(now(w), 60, 0.03, "now")], "write");
    },
    clear: async (w) => advance(w, 25 * 60 * MIN),
  },
];

describe("every default rule", () => {
  it("covers every rule", () => expect(CASES.map((c) => c.rule).sort()).toEqual(DEFAULT_RULES.map((r) => r.name).sort()));

  it.each(CASES.map((c) => [c.rule, c] as const))(
    "%s fires on its signal, notifies once, and resolves (with a message unless it is a notice)",
    async (_name, c) => {
      w = await alertWorld();
      const rule = DEFAULT_RULES.find((r) => r.name === c.rule)!;
      await c.fire(w);
      await w.evaluate();
      await w.deliver();
      const [alert] = (await w.alerts(c.rule)).filter((a) => JSON.stringify(a.labels) === JSON.stringify(c.labels));
      expect(alert, `${c.rule} with ${JSON.stringify(c.labels)}`).toMatchObject({ state: "firing", severity: rule.severity });
      await w.evaluate();
      const firing = w.sent.filter((s) => s.rule === c.rule && s.kind === "firing");
      expect(firing.map((s) => s.channel).sort()).toEqual(rule.channels.filter((ch) => ch === "console" || ch === "slack").sort());

      await c.clear(w);
      await w.evaluate();
      if (rule.flapMinutes > 0) {
        advance(w, (rule.flapMinutes + 1) * MIN);
        await w.evaluate();
      }
      await w.deliver();
      const after = (await w.alerts(c.rule)).find((a) => a.id === alert!.id);
      expect(after!.state).toBe("resolved");
      expect(w.sent.filter((s) => s.rule === c.rule && s.kind === "resolved").length).toBe(rule.notifyResolved ? firing.length : 0);
      const transitions = await w.t.db.execute({
        sql: "SELECT from_state, to_state FROM alert_transitions WHERE alert_id = ? ORDER BY id",
        args: [alert!.id],
      });
      expect(transitions.rows.map((r) => `${r.from_state ?? "-"}>${r.to_state}`)).toEqual(["->firing", "firing>resolved"]);
    },
  );
});

describe("lifecycle", () => {
  const steady = ruleSchema.parse({
    name: "silence_alarm",
    signal: "zero_deliveries",
    severity: "critical",
    channels: ["console"],
    windowMinutes: 60,
    threshold: 30,
    repeatMinutes: 10,
  });

  it("repeats only on its interval, stops repeating when acknowledged, and resolves once", async () => {
    w = await alertWorld({ rules: [steady] });
    await storeEvent(w.deps, now(w), { type: "message.received" });
    advance(w, 31 * MIN);
    for (let m = 0; m <= 25; m++) {
      await w.evaluate();
      await w.deliver();
      advance(w, MIN);
    }
    // Fired at 0, repeated at 10 and 20.
    expect(w.sent.map((s) => s.kind)).toEqual(["firing", "repeat", "repeat"]);
    const [alert] = await w.alerts();
    const ack = await w.app.request(`/api/alerts/${alert!.id}/ack`, { method: "POST", headers: apiAuth });
    expect(ack.status).toBe(200);
    for (let m = 0; m < 30; m++) {
      await w.evaluate();
      await w.deliver();
      advance(w, MIN);
    }
    expect(w.sent).toHaveLength(3);
    await storeEvent(w.deps, now(w), { type: "message.received" });
    await w.evaluate();
    await w.deliver();
    expect(w.sent.map((s) => s.kind)).toEqual(["firing", "repeat", "repeat", "resolved"]);
    expect((await w.app.request(`/api/alerts/${alert!.id}/ack`, { method: "POST", headers: apiAuth })).status).toBe(409);
  });

  it("keeps the summary of a firing alert up to date between notifications", async () => {
    const errors = ruleSchema.parse({
      name: "errors_now",
      signal: "processing_errors",
      severity: "high",
      channels: ["console"],
      windowMinutes: 15,
      threshold: 0,
      repeatMinutes: 240,
    });
    w = await alertWorld({ rules: [errors] });
    const error = () => storeEvent(w!.deps, now(w!), { type: "error", error: { type: "send_failed" } });
    for (let i = 0; i < 2; i++) await error();
    await w.evaluate();
    expect((await w.alerts())[0]!.summary).toMatch(/^2 processing error/);
    for (let i = 0; i < 18; i++) await error();
    advance(w, MIN);
    await w.evaluate();
    const [alert] = await w.alerts();
    expect(alert!.state).toBe("firing");
    expect(alert!.summary).toMatch(/^20 processing error/);
  });

  it("groups alerts of one rule that fire in the same evaluation into one message", async () => {
    w = await alertWorld();
    for (const source of ["bot-a", "bot-b", "bot-c"]) {
      await storeSignatureFailure(w.deps, source, now(w));
    }
    await w.evaluate();
    await w.deliver();
    const slack = w.sent.filter((s) => s.channel === "slack" && s.rule === "signature_failure");
    expect(slack).toHaveLength(1);
    expect(slack[0]!.alerts).toHaveLength(3);
  });

  it("records silenced alerts without sending them, and sends once the silence is lifted", async () => {
    w = await alertWorld({ rules: [steady] });
    const res = await w.app.request("/api/silences", {
      method: "POST",
      headers: { ...apiAuth, "content-type": "application/json" },
      body: JSON.stringify({
        matchers: { rule: "silence_alarm", source: "bot" },
        until: new Date(now(w) + 2 * 3600_000).toISOString(),
        comment: "maintenance",
      }),
    });
    expect(res.status).toBe(201);
    const { silence } = await res.json();
    await storeEvent(w.deps, now(w), { type: "message.received" });
    advance(w, 32 * MIN);
    await w.evaluate();
    await w.deliver();
    expect((await w.alerts())[0]).toMatchObject({ state: "firing" });
    expect(w.sent).toEqual([]);
    expect((await w.app.request(`/api/silences/${silence.id}`, { method: "DELETE", headers: apiAuth })).status).toBe(200);
    advance(w, MIN);
    await w.evaluate();
    await w.deliver();
    expect(w.sent.map((s) => s.kind)).toEqual(["firing"]);
  });

  it("silences expire by themselves", async () => {
    w = await alertWorld({ rules: [steady] });
    await w.app.request("/api/silences", {
      method: "POST",
      headers: { ...apiAuth, "content-type": "application/json" },
      body: JSON.stringify({ matchers: { rule: "silence_alarm" }, until: new Date(now(w) + 40 * MIN).toISOString(), comment: "brief" }),
    });
    await storeEvent(w.deps, now(w), { type: "message.received" });
    advance(w, 32 * MIN);
    await w.evaluate();
    expect(w.sent).toHaveLength(0);
    advance(w, 10 * MIN);
    await w.evaluate();
    await w.deliver();
    expect(w.sent).toHaveLength(1);
  });

  it("waits out group_wait and N consecutive evaluations: a blip that clears sends nothing", async () => {
    const patient = ruleSchema.parse({
      name: "patient",
      signal: "processing_errors",
      severity: "high",
      channels: ["console"],
      windowMinutes: 2,
      repeatMinutes: 60,
      forEvaluations: 3,
      groupWaitSeconds: 120,
    });
    w = await alertWorld({ rules: [patient] });
    await storeEvent(w.deps, now(w), { type: "error", error: { type: "blip" } });
    await w.evaluate();
    advance(w, MIN);
    await w.evaluate();
    advance(w, 2 * MIN);
    await w.evaluate();
    await w.deliver();
    expect(w.sent).toEqual([]);
    const [alert] = await w.alerts();
    expect(alert).toMatchObject({ state: "resolved" });
    // A lasting condition fires after 3 evaluations and 2 minutes.
    for (let m = 0; m < 4; m++) {
      await storeEvent(w.deps, now(w), { type: "error", error: { type: "lasting" } });
      await w.evaluate();
      advance(w, MIN);
    }
    await w.deliver();
    expect(w.sent.map((s) => s.kind)).toEqual(["firing"]);
  });

  it("keeps a flapping alert open instead of resolving and re-firing", async () => {
    const flappy = ruleSchema.parse({
      name: "flappy",
      signal: "processing_errors",
      severity: "low",
      channels: ["console"],
      windowMinutes: 1,
      repeatMinutes: 600,
      flapMinutes: 10,
    });
    w = await alertWorld({ rules: [flappy] });
    for (let m = 0; m < 20; m++) {
      if (m % 4 === 0) await storeEvent(w.deps, now(w), { type: "error", error: { type: "x" } });
      await w.evaluate();
      advance(w, MIN);
    }
    await w.deliver();
    expect(w.sent.map((s) => s.kind)).toEqual(["firing"]);
    expect(await w.alerts()).toHaveLength(1);
  });

  it("inhibits rate and latency alerts of a source while it receives nothing", async () => {
    const byName = Object.fromEntries(DEFAULT_RULES.map((r) => [r.name, r]));
    const rules = [{ ...byName.zero_deliveries!, threshold: 30 }, byName.error_rate!, byName.response_time!];
    w = await alertWorld({ rules });
    for (let i = 0; i < 5; i++) await storeEvent(w.deps, now(w), { type: "message.received" });
    await storeEvent(w.deps, now(w), { type: "response.sent", latency_ms: 20_000 });
    await storeEvent(w.deps, now(w), { type: "error", error: { type: "boom" } });
    // Another source with the same trouble but still delivering is not inhibited.
    const later = now(w) + 31 * MIN;
    for (let i = 0; i < 5; i++) await storeEvent(w.deps, later, { type: "message.received" }, "other");
    await storeEvent(w.deps, later, { type: "error", error: { type: "boom" } }, "other");
    advance(w, MIN);
    await w.evaluate();
    await w.deliver();
    const sent = w.sent.map((s) => s.rule);
    expect(sent).toContain("zero_deliveries");
    const errorRate = await w.alerts("error_rate");
    const bySource = Object.fromEntries(errorRate.map((a) => [a.labels.source, a]));
    // Both fire and are recorded; only the silent source's are muted.
    expect(bySource.bot).toMatchObject({ state: "firing", last_notified_at: null });
    expect(bySource.other!.last_notified_at).not.toBeNull();
    expect((await w.alerts("response_time"))[0]).toMatchObject({ state: "firing", last_notified_at: null });
    const transitions = await w.t.db.execute({ sql: "SELECT reason FROM alert_transitions WHERE alert_id = ?", args: [bySource.bot!.id] });
    expect(String(transitions.rows[0]!.reason)).toContain("inhibited while zero_deliveries fires");
  });
});
