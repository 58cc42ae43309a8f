import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Rule, ruleSchema } from "../../src/alerts/rules.js";
import { SIGNAL_FNS } from "../../src/alerts/signals.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { testDeps } from "../helpers/deps.js";

// Each signal reads another domain's rows through that domain's queries (rollups through the
// rollup reader): these pin what each one finds, from rows written straight into the tables.

let t: TestDb;
let deps: ReturnType<typeof testDeps>;
const MIN = 60_000;
const NOW = Date.parse("2026-11-23T12:00:00Z");

const rule = (signal: Rule["signal"], r: Partial<Rule> = {}): Rule =>
  ruleSchema.parse({ name: signal, signal, severity: "high", channels: ["console"], windowMinutes: 60, repeatMinutes: 60, ...r });
const run = (r: Rule) => SIGNAL_FNS[r.signal](deps, NOW, r);

beforeAll(async () => {
  t = await createTestDb();
  deps = testDeps({ db: t.db });
  deps.testClock.set(NOW);
  const at = NOW - 10 * MIN;
  const rollup = (source: string, minute: number, metric: string, key: string, value: number) => ({
    sql: "INSERT INTO webhook_rollups (minute, source, metric, key, value) VALUES (?, ?, ?, ?, ?)",
    args: [minute, source, metric, key, value],
  });
  const event = (type: string, subject: string, payload: object, createdAt = at) => ({
    sql: "INSERT INTO events (type, subject, dedupe_key, payload, created_at) VALUES (?, ?, ?, ?, ?)",
    args: [type, subject, `${type}:${subject}`, JSON.stringify(payload), createdAt],
  });
  const verdict = (session: string, status: string, verifier: string | null = null) => ({
    sql: `INSERT INTO monitoring_results (session_id, activity_version, verification_status, verifier_status, analyzed_at)
          VALUES (?, 1, ?, ?, ?)`,
    args: [session, status, verifier, at],
  });
  await t.db.batch(
    [
      // "slow": 10% errors, p95 well over 10 s, two signature failures; "fast": healthy;
      // "old": last delivered two hours ago.
      rollup("slow", at, "delivery", "", 20),
      rollup("slow", at, "error", "timeout", 2),
      rollup("slow", at, "latency_bucket", "14", 20),
      rollup("slow", at, "latency_max", "", 14_000),
      rollup("slow", at, "signature_failure", "bad_signature", 1),
      rollup("slow", at - MIN, "signature_failure", "expired", 1),
      rollup("fast", at, "delivery", "", 100),
      rollup("fast", at, "error", "timeout", 1),
      rollup("fast", at, "latency_bucket", "3", 10),
      rollup("fast", at, "latency_max", "", 240),
      rollup("old", NOW - 120 * MIN, "delivery", "", 5),
      {
        sql: `INSERT INTO orchestrations (session_id, task_description, status, started_at, total_tasks, last_progress_at, stalled_at)
              VALUES ('stuck', 'signals', 'running', ?, 2, ?, ?)`,
        args: [NOW - 90 * MIN, NOW - 45 * MIN, NOW - 5 * MIN],
      },
      event("run_failed", "r-1", { sessionId: "r-1", status: "failed", completedTasks: 1, failedTasks: 2 }),
      event("run_stalled", "r-2", {}, at - MIN),
      event("step_failure", "e-1", { agentName: "coder", errorMessage: "boom" }),
      verdict("v-1", "pass"),
      ...["v-2", "v-3", "v-4", "v-5"].map((s) => verdict(s, "fail")),
      verdict("v-6", "error"),
      verdict("v-7", "partial", "unavailable"),
    ],
    "write",
  );
});
afterAll(() => t.cleanup());

describe("alert signals", () => {
  it.each([
    ["response_time", { threshold: 10_000 }, [["slow", "p95 response time 13800 ms over 60 min from slow (limit 10000 ms)"]]],
    ["error_rate", {}, [["slow", "error rate 10.0% over 60 min from slow (limit 5.0%)"]]],
    [
      "processing_errors",
      {},
      [
        ["slow", "2 processing error(s) from slow in 60 min (timeout: 2)"],
        ["fast", "1 processing error(s) from fast in 60 min (timeout: 1)"],
      ],
    ],
    [
      "signature_failure",
      {},
      [["slow", "2 signature failure(s) from slow in 60 min while its verified deliveries fell (bad_signature, expired)"]],
    ],
    ["zero_deliveries", {}, [["old", "no deliveries from old for 119 minutes"]]],
  ] as const)("%s finds the sources over their limit in the rollups", async (signal, extra, expected) => {
    const found = await run(rule(signal, extra));
    expect(found.map((c) => [c.labels.source, c.summary]).sort()).toEqual([...expected].map((e) => [...e]).sort());
  });

  it("run_stalled, run_failed and step_failure name their subject", async () => {
    expect(await run(rule("run_stalled"))).toEqual([
      { labels: { session: "stuck" }, summary: "run stuck has made no progress for 45 minutes" },
    ]);
    expect(await run(rule("run_failed"))).toEqual([{ labels: { session: "r-1" }, summary: "run r-1 failed: 1 completed, 2 failed" }]);
    expect(await run(rule("step_failure"))).toEqual([{ labels: { execution: "e-1" }, summary: "coder failed: boom" }]);
  });

  it("fulfillment_failure_rate and monitoring_errors count the verdicts of the window", async () => {
    expect(await run(rule("fulfillment_failure_rate"))).toEqual([{ labels: {}, summary: "4 of 6 conversations failed in 60 min (67%)" }]);
    expect(await run(rule("monitoring_errors"))).toEqual([
      {
        labels: {},
        summary:
          "1 conversation(s) could not be analysed in 60 min; 1 verdict(s) not confirmed: the system-of-record verifier stayed unavailable",
      },
    ]);
    expect(await run(rule("fulfillment_failure_rate", { windowMinutes: 5 })), "outside the window").toEqual([]);
  });

  it("events counts the listed types, naming the newest", async () => {
    expect(await run(rule("events", { name: "stalls_and_steps", eventTypes: ["run_stalled", "step_failure"] }))).toEqual([
      { labels: {}, summary: "2 event(s) in 60 min (step_failure: 1, run_stalled: 1); latest step_failure of e-1" },
    ]);
  });
});
