import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RECOUNT_MONITORING_HOURLY } from "../../src/db/migrations/0009-monitoring-hourly.js";
import { gatherStatus, type Point, type RangeName } from "../../src/status/data.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { testDeps } from "../helpers/deps.js";

// The status page's series each come from another domain's query: these pin what each counts,
// per range (the 1 h range reads per-minute rollups and single verdicts, the others the
// quarter-hour rollups and the hourly verdict counts).

let t: TestDb;
let deps: ReturnType<typeof testDeps>;
let now: number;
const MIN = 60_000;
const total = (points: Point[]) => points.reduce((a, p) => a + (p.value ?? 0), 0);

beforeAll(async () => {
  t = await createTestDb();
  deps = testDeps({ db: t.db });
  now = Date.parse("2026-11-23T12:40:00Z");
  deps.testClock.set(now);
  const at = now - 10 * MIN;
  const minute = Math.floor(at / MIN) * MIN;
  const stmts = [
    ...(
      [
        ["sd-done", "completed"],
        ["sd-failed", "failed"],
        ["sd-partial", "partial"],
      ] as const
    ).map(([session, status]) => ({
      sql: `INSERT INTO orchestrations (session_id, task_description, status, started_at, completed_at, total_tasks, completed_tasks, last_progress_at)
            VALUES (?, 'status data', ?, ?, ?, 2, 1, ?)`,
      args: [session, status, at - MIN, at, at],
    })),
    ...["a", "b"].map((k) => ({
      sql: "INSERT INTO events (type, subject, dedupe_key, payload, created_at) VALUES ('run_stalled', ?, ?, '{}', ?)",
      args: [`sd-stall-${k}`, `sd-stall-${k}`, at],
    })),
    ...(
      [
        ["c-pass", "pass", null, null],
        ["c-fail", "fail", "complete", '{"category":"tool_error"}'],
        ["c-partial", "partial", null, null],
      ] as const
    ).map(([session, status, diagnosis, report]) => ({
      sql: `INSERT INTO monitoring_results (session_id, activity_version, intent_type, verification_status, verdict_summary, diagnostic_status,
              diagnostic_report_json, verifier_status, analyzed_at) VALUES (?, 1, 'book', ?, 'judged', ?, ?, ?, ?)`,
      args: [session, status, diagnosis, report, status === "pass" ? "unavailable" : null, at],
    })),
    {
      sql: `INSERT INTO monitoring_results (session_id, activity_version, verification_status, error, analyzed_at)
            VALUES ('c-unread', 1, 'skipped', 'unreadable_transcript: output {result}', ?)`,
      args: [at],
    },
    {
      sql: "UPDATE monitoring_results SET scores_written_at = ?, scores_refused = '400: Invalid request data' WHERE session_id = 'c-fail'",
      args: [at],
    },
    RECOUNT_MONITORING_HOURLY,
    {
      sql: `INSERT INTO alerts (rule, fingerprint, labels, severity, state, summary, started_at, fired_at, updated_at)
            VALUES ('error_rate', 'sd', '{}', 'high', 'firing', 'error rate 25%', ?, ?, ?)`,
      args: [at, at, at],
    },
    ...(
      [
        ["delivery", "", 4],
        ["processed", "", 3],
        ["error", "timeout", 1],
        ["signature_failure", "bad_signature", 2],
      ] as const
    ).flatMap(([metric, key, value]) => [
      {
        sql: "INSERT INTO webhook_rollups (minute, source, metric, key, value) VALUES (?, 'bot', ?, ?, ?)",
        args: [minute, metric, key, value],
      },
      {
        sql: "INSERT INTO webhook_rollups_15m (slot, source, metric, key, value) VALUES (?, 'bot', ?, ?, ?)",
        args: [Math.floor(minute / (15 * MIN)) * 15 * MIN, metric, key, value],
      },
    ]),
  ];
  await t.db.batch(stmts, "write");
});
afterAll(() => t.cleanup());

describe("status data", () => {
  it.each(["1h", "24h", "7d"] as RangeName[])("counts each domain's rows once in the %s range", async (range) => {
    const s = await gatherStatus(deps, now, true, range);
    expect(total(s.deliveries), "deliveries").toBe(4);
    expect(total(s.signatureFailures), "signature failures").toBe(2);
    expect(s.successRate.find((p) => p.value !== null)?.value, "success rate of the slot with traffic").toBe(0.75);
    expect(s.errorRate.find((p) => p.value !== null)?.value, "error rate of the slot with traffic").toBe(0.25);
    expect(
      { pass: total(s.verdicts.pass), partial: total(s.verdicts.partial), fail: total(s.verdicts.fail) },
      "verdicts by status",
    ).toEqual({ pass: 1, partial: 1, fail: 1 });
    expect(
      { completed: total(s.runs.completed), failed: total(s.runs.failed), stalled: total(s.runs.stalled) },
      "runs: failed counts partial ones too",
    ).toEqual({ completed: 1, failed: 2, stalled: 2 });
    expect(s.topCategories).toEqual([{ category: "tool_error", count: 1 }]);
    expect(s.verifierUnavailable).toBe(1);
    expect({ unreadable: s.unreadable, scoresRefused: s.scoresRefused }, "unjudged and refused verdicts").toEqual({
      unreadable: 1,
      scoresRefused: 1,
    });
    expect(s.firing.map((a) => [a.rule, a.summary, a.since])).toEqual([["error_rate", "error rate 25%", now - 10 * MIN]]);
    expect(s.failedRuns.map((r) => [r.sessionId, r.status]).sort()).toEqual([
      ["sd-failed", "failed"],
      ["sd-partial", "partial"],
    ]);
    expect(s.failedConversations.map((c) => [c.sessionId, c.category]).sort()).toEqual([
      ["c-fail", "tool_error"],
      ["c-partial", null],
    ]);
  });

  it("leaves the lists out of the public view", async () => {
    const s = await gatherStatus(deps, now, false, "24h");
    expect([s.failedRuns, s.failedConversations]).toEqual([[], []]);
    expect(total(s.runs.failed)).toBe(2);
  });
});
