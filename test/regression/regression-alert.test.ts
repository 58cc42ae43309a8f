import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { evaluateAlerts } from "../../src/alerts/engine.js";
import { DEFAULT_RULES } from "../../src/alerts/rules.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { API_KEY, apiAuth, testClock, testDeps, testEnv } from "../helpers/deps.js";
import { pastTraffic } from "../stability/past-traffic.js";
import { storeEvent } from "../stability/factories.js";
import { WEBHOOK_SECRET } from "../helpers/webhooks.js";

let t: TestDb | undefined;
afterEach(() => {
  t?.cleanup();
  t = undefined;
});

const MIN = 60_000;
const DAY = 1440 * MIN;
const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);

async function world() {
  t = await createTestDb();
  const clock = testClock(T0);
  const deps = testDeps({ db: t.db, clock, env: testEnv({ WEBHOOK_SECRET, WEBHOOK_SOURCES: "bot" }) });
  const app = createApp(deps);
  const firing = async () =>
    (await t!.db.execute("SELECT rule, summary FROM alerts WHERE state = 'firing'")).rows.map((r) => ({
      rule: String(r.rule),
      summary: String(r.summary),
    }));
  const evaluate = async () => {
    await evaluateAlerts(deps, clock.now(), DEFAULT_RULES, ["console"]);
    return firing();
  };
  return { deps, app, clock, evaluate };
}

describe("regression against the bot's own baseline", () => {
  it("a week of steady traffic, then replies at 3–4 s and 12 % errors: a regression naming both, before any threshold trips", async () => {
    const { deps, app, clock, evaluate } = await world();
    await pastTraffic(t!.db, { from: T0 - 8 * DAY, to: T0, everyMs: 10_000, tag: "week" });
    let regressionAt: number | undefined;
    let regression = "";
    let thresholdAt: number | undefined;
    for (let minute = 0; minute < 120; minute++) {
      for (let k = 0; k < 6; k++) {
        const at = T0 + minute * MIN + k * 10_000;
        const i = minute * 6 + k;
        await storeEvent(deps, at, { type: "message.received" });
        await storeEvent(deps, at + 1500, { type: "response.sent", latency_ms: 3000 + ((i * 131) % 1000) });
        if (i % 25 < 3) await storeEvent(deps, at + 1600, { type: "error", error: { type: "llm_timeout" } });
      }
      clock.set(T0 + (minute + 1) * MIN);
      const alerts = await evaluate();
      const found = alerts.find((a) => a.rule === "regression");
      if (found && regressionAt === undefined && /error rate/.test(found.summary) && /response time/.test(found.summary)) {
        [regressionAt, regression] = [minute + 1, found.summary];
      }
      if (thresholdAt === undefined && alerts.some((a) => a.rule === "error_rate" || a.rule === "response_time")) thresholdAt = minute + 1;
      if (regressionAt !== undefined && thresholdAt !== undefined) break;
    }
    expect(regressionAt, "minutes until the regression alert named both").toBeDefined();
    expect(regressionAt!, `regression after ${regressionAt} min, a threshold after ${thresholdAt} min`).toBeLessThan(
      thresholdAt ?? Infinity,
    );
    // Baseline, now, effect size and p-value, for both.
    expect(regression).toMatch(
      /error rate \(bot, last 1 h\): now \d+\.\d% \(\d+\/\d+\) vs 1\.0% \(\d+\/\d+\) in the same hours of the previous 7 days — ×\d+\.\d, \+\d+\.\d points, p = [\d.e-]+/,
    );
    expect(regression).toMatch(
      /response time \(bot, last 1 h\): now \d+ ms p95 \(\d+ replies\) vs \d+ ms p95 \(\d+ replies\) .* p95 ×\d+\.\d.*, p = /,
    );

    // The report carries it as a red flag; the status page shows baseline against now.
    const report = await (await app.request("/api/stability/report?hours=24", { headers: apiAuth })).json();
    const flags = report.redFlags.filter((f: { kind: string }) => f.kind === "regression");
    expect(flags.map((f: { message: string }) => f.message.split(" (")[0])).toEqual(
      expect.arrayContaining(["regression: error rate", "regression: response time"]),
    );
    const page = await (
      await app.request("/status", { headers: { authorization: `Basic ${Buffer.from(`x:${API_KEY}`).toString("base64")}` } })
    ).text();
    const start = page.indexOf('<table id="baseline">');
    const table = page.slice(start, page.indexOf("</table>", start));
    expect(table).toMatch(
      /<tr class="regression"><td>error rate <span class="muted">\(bot\)<\/span><strong> — regression<\/strong><\/td><td>1 h<\/td><td>1\.0% \(\d+\/\d+\)<\/td><td>\d+\.\d% \(\d+\/\d+\)<\/td>/,
    );
    expect(table).toContain("response time");
  });

  it("the same week followed by two steady hours raises none", async () => {
    const { clock, evaluate } = await world();
    await pastTraffic(t!.db, { from: T0 - 8 * DAY, to: T0 + 120 * MIN, everyMs: 10_000, tag: "week" });
    for (let minute = 10; minute <= 120; minute += 10) {
      clock.set(T0 + minute * MIN);
      expect(
        (await evaluate()).filter((a) => a.rule === "regression"),
        `minute ${minute}`,
      ).toEqual([]);
    }
  });

  it("a small sample raises none, however bad it looks", async () => {
    const { deps, clock, evaluate } = await world();
    // A quiet bot: one exchange an hour for a week (24 a day, under REGRESSION_MIN_SAMPLES), then 2 hours of slow replies and errors.
    await pastTraffic(t!.db, { from: T0 - 8 * DAY, to: T0, everyMs: 60 * MIN, tag: "quiet" });
    for (let minute = 0; minute < 120; minute += 10) {
      await storeEvent(deps, T0 + minute * MIN, { type: "message.received" });
      await storeEvent(deps, T0 + minute * MIN + 1000, { type: "response.sent", latency_ms: 4000 });
      await storeEvent(deps, T0 + minute * MIN + 2000, { type: "error", error: { type: "llm_timeout" } });
      clock.set(T0 + (minute + 10) * MIN);
      expect(
        (await evaluate()).filter((a) => a.rule === "regression"),
        `minute ${minute}`,
      ).toEqual([]);
    }
  });

  it("reads a baseline's week about once per quarter hour, not at every evaluation", async () => {
    t = await createTestDb();
    await pastTraffic(t.db, { from: T0 - 8 * DAY, to: T0 + 60 * MIN, everyMs: 60_000, tag: "week" });
    const baselineReads: string[] = [];
    const db = new Proxy(t.db, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target);
        if (prop !== "batch" || typeof value !== "function") return typeof value === "function" ? value.bind(target) : value;
        return (statements: { sql?: string }[], mode: string) => {
          for (const st of statements)
            if (/FROM webhook_rollups_15m\s+WHERE \(slot >= \? AND slot < \?\) OR/.test(st.sql ?? "")) baselineReads.push(st.sql!);
          return value.call(target, statements, mode);
        };
      },
    });
    const clock = testClock(T0);
    const deps = testDeps({ db, clock, env: testEnv({ WEBHOOK_SECRET, WEBHOOK_SOURCES: "bot" }) });
    const rule = DEFAULT_RULES.filter((r) => r.name === "regression");
    for (let minute = 1; minute <= 30; minute++) {
      clock.set(T0 + minute * MIN);
      await evaluateAlerts(deps, clock.now(), rule, ["console"]);
    }
    // Two windows (1 h, 24 h), each read when a quarter begins: minutes 1, 15 and 30.
    expect(baselineReads).toHaveLength(6);
  });
});
