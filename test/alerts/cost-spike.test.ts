import { afterEach, describe, expect, it } from "vitest";
import { evaluateAlerts } from "../../src/alerts/engine.js";
import { rulesFromEnv } from "../../src/alerts/rules-source.js";
import { compareWithBaseline, regressionSettings } from "../../src/regression/evaluate.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { testClock, testDeps, testEnv } from "../helpers/deps.js";

let t: TestDb | undefined;
afterEach(() => {
  t?.cleanup();
  t = undefined;
});

const MIN = 60_000;
const DAY = 1440 * MIN;
const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);

/** Judged conversations in the hour before `end`, spread evenly, each costing the bot about `usd` (±20 %, deterministic). */
function hourOfConversations(end: number, n: number, usd: number | null, tag: string) {
  return Array.from({ length: n }, (_, i) => ({
    sql: `INSERT INTO monitoring_results (session_id, activity_version, verification_status, analyzed_at, cost_usd, conversation_cost_usd)
          VALUES (?, 1, 'pass', ?, 0.0004, ?)`,
    args: [`${tag}-${i}`, end - MIN * 60 + Math.floor((i * 60 * MIN) / n) + 1, usd === null ? null : usd * (0.8 + ((i * 37) % 41) / 100)],
  }));
}

async function world(env: Record<string, string> = {}) {
  t = await createTestDb();
  const clock = testClock(T0);
  const deps = testDeps({ db: t.db, clock, env: testEnv(env) });
  // A week of steady cost: 20 conversations at about $0.010 in the same hour of each day.
  const week = Array.from({ length: 7 }, (_, d) => hourOfConversations(T0 - (d + 1) * DAY, 20, 0.01, `day${d}`)).flat();
  await t.db.batch(week, "write");
  const rules = rulesFromEnv(deps.env, deps.log, false).filter((r) => r.signal === "conversation_cost");
  const evaluate = async () => {
    await evaluateAlerts(deps, clock.now(), rules, ["console"]);
    return (await t!.db.execute("SELECT rule, summary FROM alerts WHERE state = 'firing'")).rows.map((r) => String(r.summary));
  };
  return { deps, evaluate, rules };
}

describe("the cost spike alert", () => {
  it("a week at $0.010 per conversation, then an hour at $0.030: fires with baseline, now, effect and p", async () => {
    const { deps, evaluate } = await world();
    await t!.db.batch(hourOfConversations(T0, 60, 0.03, "now"), "write");
    // Regression detection (the report's baseline table and red flags) tests it too.
    const { findings } = await compareWithBaseline(deps.db, T0, 60, regressionSettings(deps.env));
    expect(findings.map((f) => `${f.metric} ${f.window}`)).toContain("cost per conversation 1 h");
    const firing = await evaluate();
    expect(firing).toHaveLength(1);
    expect(firing[0]).toMatch(
      /^cost spike: cost per conversation \(conversations, last 1 h\): now \$0\.0\d+ per conversation \(60 conversations\) vs \$0\.0\d+ per conversation \(140 conversations\) in the same hours of the previous 7 days — ×3\.0 per conversation, a conversation now costs more than a baseline one 100% of the time, p = /,
    );
  });

  it("the same week then a steady hour: none; three times the cost with COST_SPIKE_RATIO at 4: none", async () => {
    const steady = await world();
    await t!.db.batch(hourOfConversations(T0, 60, 0.0105, "now"), "write");
    expect(await steady.evaluate()).toEqual([]);
    t!.cleanup();

    const lenient = await world({ COST_SPIKE_RATIO: "4" });
    expect(lenient.rules[0]!.threshold).toBe(4);
    await t!.db.batch(hourOfConversations(T0, 60, 0.03, "now"), "write");
    expect(await lenient.evaluate()).toEqual([]);
  });

  it("a small sample, or conversations whose cost is not measured, never fire", async () => {
    const small = await world();
    await t!.db.batch(hourOfConversations(T0, 10, 0.5, "now"), "write");
    expect(await small.evaluate()).toEqual([]);
    t!.cleanup();

    const unmeasured = await world();
    await t!.db.batch(hourOfConversations(T0, 200, null, "now"), "write");
    expect(await unmeasured.evaluate()).toEqual([]);
  });
});
