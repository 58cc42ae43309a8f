import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyDecision } from "../../src/alerts/apply.js";
import { decide } from "../../src/alerts/decide.js";
import { listOpenAlertsByRule } from "../../src/alerts/store/alerts.js";
import { ruleSchema } from "../../src/alerts/rules.js";
import { createTestDb, type TestDb } from "../helpers/db.js";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(() => t.cleanup());

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);
const rule = ruleSchema.parse({
  name: "apply_test",
  signal: "error_rate",
  severity: "medium",
  channels: ["console", "slack"],
  windowMinutes: 60,
  repeatMinutes: 60,
});
const cand = { labels: { source: "bot" }, summary: "errors from bot" };

const openAlerts = async () => (await listOpenAlertsByRule(t.db)).get(rule.name) ?? new Map();
const count = async (sql: string) => Number((await t.db.execute({ sql, args: [rule.name] })).rows[0]!.n);

describe("applyDecision", () => {
  it("writes each action guarded: two evaluations decided from the same snapshot change things once", async () => {
    // Both overlapping heartbeats saw nothing open: one alert, one transition, one notification per channel.
    const before = await openAlerts();
    const [a, b] = [decide(before, [cand], rule, [], T0), decide(before, [cand], rule, [], T0)];
    await applyDecision(t.db, a);
    await applyDecision(t.db, b);
    expect(await count("SELECT COUNT(*) AS n FROM alerts WHERE rule = ?"), "alerts").toBe(1);
    expect(
      await count("SELECT COUNT(*) AS n FROM alert_transitions t JOIN alerts a ON a.id = t.alert_id WHERE a.rule = ?"),
      "transitions",
    ).toBe(1);
    expect(await count("SELECT COUNT(*) AS n FROM notifications WHERE rule = ?"), "notifications").toBe(2);

    // Both later saw it firing and due: one repeat between them.
    const firing = await openAlerts();
    const later = T0 + 60 * MIN;
    const [c, d] = [decide(firing, [cand], rule, [], later), decide(firing, [cand], rule, [], later)];
    expect(c.actions.map((x) => x.type)).toEqual(["repeat"]);
    await applyDecision(t.db, c);
    await applyDecision(t.db, d);
    expect(await count("SELECT COUNT(*) AS n FROM notifications WHERE rule = ? AND kind = 'repeat'"), "repeats").toBe(2);

    // And both saw it clear: resolved once, one resolved message per channel.
    const cleared = await openAlerts();
    const [e, f] = [decide(cleared, [], rule, [], later + MIN), decide(cleared, [], rule, [], later + MIN)];
    await applyDecision(t.db, e);
    await applyDecision(t.db, f);
    expect(await count("SELECT COUNT(*) AS n FROM alerts WHERE rule = ? AND state = 'resolved'"), "resolved alerts").toBe(1);
    expect(await count("SELECT COUNT(*) AS n FROM notifications WHERE rule = ? AND kind = 'resolved'"), "resolved messages").toBe(2);
  });

  it("notifies about the new alert when a resolved condition fires again, never the resolved one", async () => {
    // The condition of the first test resolved; it holds again: a new alert, whose notifications are its own.
    const again = T0 + 180 * MIN;
    await applyDecision(t.db, decide(await openAlerts(), [cand], rule, [], again));
    const rows = (
      await t.db.execute({
        sql: "SELECT n.alert_id, a.state FROM notifications n JOIN alerts a ON a.id = n.alert_id WHERE n.rule = ? AND n.created_at = ?",
        args: [rule.name, again],
      })
    ).rows.map((r) => String(r.state));
    expect(rows, "one notification per channel, each about the alert firing now").toEqual(["firing", "firing"]);
  });
});
