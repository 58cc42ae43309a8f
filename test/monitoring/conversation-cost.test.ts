import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { readAll } from "../../src/db/query.js";
import { observationCostUsd } from "../../src/integrations/langfuse-cost.js";
import { conversationCost } from "../../src/monitoring/cost-queries.js";
import type { FakeObservation } from "../../fakes/langfuse-server.js";
import { FIXTURES } from "../../fixtures/conversations.js";
import { fixtureObservations } from "../../fixtures/to-observations.js";
import { API_KEY, apiAuth } from "../helpers/deps.js";
import { monitoringWorld, type MonitoringWorld } from "../helpers/monitoring.js";

let w: MonitoringWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

const MIN = 60_000;
const basic = { authorization: `Basic ${Buffer.from(`me:${API_KEY}`).toString("base64")}` };
const fixture = (id: string) => FIXTURES.find((f) => f.id === id)!;

/** The fixture's observations with `cost` (Langfuse's costDetails) on its first generation only: later turns carry none. */
function costed(id: string, at: number, cost?: Record<string, number>, served?: Record<string, unknown>): FakeObservation[] {
  const obs = fixtureObservations(fixture(id), at);
  const first = obs.find((o) => o.type === "GENERATION")!;
  if (cost) first.costDetails = cost;
  if (served) first.served = served;
  if (cost) first.usageDetails = { input: 1200, output: 80, total: 1280 };
  return obs;
}

async function costRows(world: MonitoringWorld) {
  const rs = await world.t.db.execute("SELECT session_id, verification_status, conversation_cost_usd, cost_usd FROM monitoring_results");
  return Object.fromEntries(
    rs.rows.map((r) => [String(r.session_id), r.conversation_cost_usd === null ? null : Number(r.conversation_cost_usd)]),
  );
}

describe.each(["v4", "v3"] as const)("the bot's cost per conversation from a Langfuse %s server", (version) => {
  it("sums each conversation's observation costs; per conversation and per fulfilled are exact; the judge's spend stays apart", async () => {
    w = await monitoringWorld({ version });
    const start = w.clock.now();
    w.langfuse.add(
      ...costed("book-ok-1", start, { input: 0.004, output: 0.006, total: 0.01 }),
      ...costed("book-ok-2", start + 1000, { total: 0.02 }),
      ...costed("resched-ok-1", start + 2000, { input: 0.01, output: 0.02, total: 0.03 }),
      ...costed("book-fail-tool", start + 3000, { total: 0.06 }),
      // No price known to Langfuse: `{}`, as its worker stores it.
      ...costed("book-partial-1", start + 4000),
    );
    w.clock.advance(20 * MIN);
    await w.cycle();

    const rows = await costRows(w);
    expect(rows).toEqual({
      "sess-book-ok-1": 0.01,
      "sess-book-ok-2": 0.02,
      "sess-resched-ok-1": 0.03,
      "sess-book-fail-tool": 0.06,
      "sess-book-partial-1": null,
    });
    const [[all]] = await readAll(w.t.db, [conversationCost("all", start, w.clock.now() + 1)]);
    const judge = Number((await w.t.db.execute("SELECT SUM(cost_usd) AS s FROM monitoring_results")).rows[0]!.s);
    expect(judge).toBeGreaterThan(0);
    expect(all!.cost).toEqual({
      conversations: 5,
      measured: 4,
      fulfilled: 3,
      botUsd: expect.closeTo(0.12, 12),
      perConversationUsd: expect.closeTo(0.03, 12),
      perFulfilledUsd: expect.closeTo(0.04, 12),
      judgeUsd: expect.closeTo(judge, 12),
    });

    // The report, its Markdown and /api/metrics carry the same figures.
    const app = createApp(w.deps);
    const report = await (await app.request("/api/stability/report?hours=24", { headers: apiAuth })).json();
    expect(report.cost).toMatchObject({ conversations: 5, measured: 4, fulfilled: 3 });
    expect(report.cost.perFulfilledUsd).toBeCloseTo(0.04, 12);
    expect(report.cost.hourly).toHaveLength(1);
    // The judge's whole day (judge_spend) beside it, at least what judging these conversations cost.
    const day = Number((await w.t.db.execute("SELECT cost_usd FROM judge_spend")).rows[0]!.cost_usd);
    expect(report.cost.judgeTodayUsd).toBeCloseTo(day, 12);
    expect(day).toBeGreaterThanOrEqual(judge - 1e-12);
    expect(report.cost.botUsd).toBeCloseTo(0.12, 12);
    const md = await (await app.request("/api/stability/report?hours=24&format=markdown", { headers: apiAuth })).text();
    expect(md).toContain("$0.0300 per conversation, $0.0400 per fulfilled conversation (3 fulfilled)");
    const page = await (await app.request("/status", { headers: basic })).text();
    expect(page).toContain("Last 24 h: $0.0300 per conversation, $0.0400 per fulfilled conversation");
    expect(page).toMatch(/<table id="cost-hourly">/);
    const metrics = await (await app.request("/api/metrics", { headers: apiAuth })).text();
    expect(metrics).toMatch(/^vigil_conversation_cost_usd\{window="24h",per="conversation"\} 0\.03\d*$/m);
    expect(metrics).toMatch(/^vigil_conversation_cost_usd\{window="24h",per="fulfilled_conversation"\} 0\.04\d*$/m);
    expect(metrics).toContain('vigil_conversations_judged{window="24h",cost_measured="false"} 1');
  });
});

describe("a cost Langfuse priced after the first read", () => {
  it("is taken on the second read, before the conversation is judged; the observation is not stored or counted twice", async () => {
    w = await monitoringWorld();
    const start = w.clock.now();
    const obs = costed("book-ok-1", start);
    w.langfuse.add(...obs);
    w.clock.advance(2 * MIN);
    await w.cycle();
    expect(await costRows(w)).toEqual({});
    obs.find((o) => o.type === "GENERATION")!.costDetails = { input: 0.01, output: 0.02, total: 0.03 };
    w.clock.advance(20 * MIN);
    await w.cycle();

    expect(await costRows(w)).toEqual({ "sess-book-ok-1": 0.03 });
    const stored = await w.t.db.execute(
      "SELECT (SELECT COUNT(*) FROM monitored_observations) AS rows, observation_count, activity_version FROM monitor_sessions",
    );
    expect({ ...stored.rows[0] }).toEqual({ rows: obs.length, observation_count: obs.length, activity_version: obs.length });
  });
});

describe("a conversation without cost data", () => {
  it("is 'not measured', never $0: in the verdict, the report, the page and /api/metrics", async () => {
    w = await monitoringWorld();
    const start = w.clock.now();
    w.langfuse.add(...costed("book-ok-1", start), ...costed("book-ok-2", start + 1000));
    w.clock.advance(20 * MIN);
    await w.cycle();

    expect(await costRows(w)).toEqual({ "sess-book-ok-1": null, "sess-book-ok-2": null });
    const app = createApp(w.deps);
    const report = await (await app.request("/api/stability/report?hours=24", { headers: apiAuth })).json();
    expect(report.cost).toMatchObject({ conversations: 2, measured: 0, botUsd: null, perConversationUsd: null, perFulfilledUsd: null });
    const md = await (await app.request("/api/stability/report?hours=24&format=markdown", { headers: apiAuth })).text();
    expect(md).toContain("**Bot cost:** not measured (none of 2 conversation(s) carried a Langfuse cost)");
    const page = await (await app.request("/status", { headers: basic })).text();
    expect(page).toContain("Bot cost not measured in the last 24 h");
    const metrics = await (await app.request("/api/metrics", { headers: apiAuth })).text();
    expect(metrics).toContain("# TYPE vigil_conversation_cost_usd gauge");
    expect(metrics).not.toMatch(/^vigil_conversation_cost_usd\{/m);
  });

  it("hostile cost fields are no cost: the observation is stored, its conversation counts only what can be believed", async () => {
    w = await monitoringWorld();
    const start = w.clock.now();
    w.langfuse.add(
      ...costed("book-ok-1", start, undefined, { costDetails: { total: -5 } }),
      ...costed("book-ok-2", start + 1000, undefined, { costDetails: { total: "0.5" }, totalCost: "0.5" }),
      ...costed("resched-ok-1", start + 2000, undefined, { costDetails: { total: 1e300 }, totalCost: 1e300 }),
      ...costed("resched-ok-2", start + 3000, undefined, { costDetails: ["0.1"], totalCost: null, usage: { totalCost: -1 } }),
      // A breakdown without a total (a provided cost): its parts.
      ...costed("book-ok-3", start + 4000, undefined, { costDetails: { input: 0.25, output: 0.5 }, totalCost: 0 }),
    );
    w.clock.advance(20 * MIN);
    const summary = await w.cycle();
    expect((summary.langfuse as { poisoned: number }).poisoned).toBe(0);
    expect(await costRows(w)).toEqual({
      "sess-book-ok-1": null,
      "sess-book-ok-2": null,
      "sess-resched-ok-1": null,
      "sess-resched-ok-2": null,
      "trace:book-ok-3-t0": 0.75,
    });
  });
});

describe("one observation's cost as Langfuse serves it", () => {
  it("takes costDetails first, a positive legacy total only without it, and nothing that is not a believable amount", () => {
    expect(observationCostUsd({ costDetails: { input: 1, output: 2, total: 3 }, totalCost: 3 })).toBe(3);
    expect(observationCostUsd({ costDetails: { total: 0 }, totalCost: 0 })).toBe(0); // priced at zero: measured
    expect(observationCostUsd({ costDetails: {}, totalCost: 0 })).toBeNull(); // Langfuse's 0 for "no cost"
    expect(observationCostUsd({ calculatedTotalCost: 0, usage: { totalCost: 0 } })).toBeNull();
    expect(observationCostUsd({ calculatedTotalCost: 0.2 })).toBe(0.2); // an older server without costDetails
    expect(observationCostUsd({ usage: { totalCost: 0.3 } })).toBe(0.3);
    for (const hostile of [Number.NaN, Number.POSITIVE_INFINITY, -0.5, "0.5", 1e12, null, {}, [1]])
      expect(observationCostUsd({ costDetails: { total: hostile }, totalCost: hostile }), String(hostile)).toBeNull();
    expect(observationCostUsd({ costDetails: { input: 0.1, output: Number.NaN } })).toBeNull();
    expect(observationCostUsd({ costDetails: "0.1", totalCost: "0.1" })).toBeNull();
    expect(observationCostUsd({})).toBeNull();
  });
});

describe("cost grouped by a key of the verdict", () => {
  it("gives each key its own figures (the environment today; the release plugs in the same way)", async () => {
    w = await monitoringWorld();
    const at = w.clock.now();
    const row = (id: string, env: string, status: string, usd: number | null) => ({
      sql: `INSERT INTO monitoring_results (session_id, activity_version, verification_status, analyzed_at, environment, cost_usd, conversation_cost_usd)
            VALUES (?, 1, ?, ?, ?, 0.001, ?)`,
      args: [id, status, at, env, usd],
    });
    await w.t.db.batch(
      [
        row("a", "production", "pass", 0.2),
        row("b", "production", "fail", 0.4),
        row("c", "staging", "pass", null),
        row("d", "staging", "pass", 0.05),
      ],
      "write",
    );
    const [groups] = await readAll(w.t.db, [conversationCost("environment", at, at + 1)]);
    expect(groups.map((g) => [g.key, g.cost.measured, g.cost.perConversationUsd, g.cost.perFulfilledUsd, g.cost.judgeUsd])).toEqual([
      ["production", 2, expect.closeTo(0.3, 12), expect.closeTo(0.6, 12), expect.closeTo(0.002, 12)],
      ["staging", 1, 0.05, 0.05, expect.closeTo(0.002, 12)],
    ]);
  });
});
