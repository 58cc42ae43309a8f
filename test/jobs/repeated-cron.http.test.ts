import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_RULES, ruleSchema } from "../../src/alerts/rules.js";
import { createApp } from "../../src/app.js";
import { alertWorld, type AlertWorld } from "../helpers/alerts.js";
import { cronAuth } from "../helpers/deps.js";
import { storeEvent, storeSignatureFailure } from "../stability/factories.js";

// A cron Vercel delivers again (or twenty times) must not change
// what the alerts decide, and every state change of an alert is announced with its own kind.

let w: AlertWorld | undefined;
afterEach(() => {
  w?.t.cleanup();
  w = undefined;
});

const MIN = 60_000;
const forge = (world: AlertWorld, source: string) => storeSignatureFailure(world.deps, source, world.deps.clock());

describe("a heartbeat delivered again within its minute", () => {
  it("20 calls in one minute run once; the rest answer skipped: already_ran; the next minute runs", async () => {
    w = await alertWorld();
    const app = createApp(w.deps);
    const bodies = [];
    for (let i = 0; i < 20; i++) {
      bodies.push(await (await app.request("/api/cron/heartbeat", { headers: cronAuth })).json());
      w.deps.testClock.advance(2_000);
    }
    expect(bodies.filter((b) => b.skipped === undefined)).toHaveLength(1);
    expect(bodies.filter((b) => b.skipped === "already_ran")).toHaveLength(19);
    const runs = await w.t.db.execute("SELECT status, COUNT(*) AS n FROM job_runs WHERE job = 'heartbeat' GROUP BY status ORDER BY status");
    expect(runs.rows.map((r) => [r.status, Number(r.n)])).toEqual([
      ["ok", 1],
      ["skipped", 19],
    ]);
    w.deps.testClock.advance(MIN);
    expect((await (await app.request("/api/cron/heartbeat", { headers: cronAuth })).json()).skipped).toBeUndefined();
  });

  it("monitor and checkpoint stay callable on demand, again and again", async () => {
    w = await alertWorld();
    const app = createApp(w.deps);
    for (const job of ["monitor", "checkpoint", "monitor", "checkpoint"]) {
      expect((await (await app.request(`/api/cron/${job}`, { headers: cronAuth })).json()).skipped).toBeUndefined();
    }
  });

  it("forEvaluations counts scheduled minutes, not calls: three quick evaluations do not fire a rule that needs three", async () => {
    const rule = ruleSchema.parse({ ...DEFAULT_RULES.find((r) => r.name === "signature_failure")!, forEvaluations: 3 });
    w = await alertWorld({ rules: [rule] });
    await forge(w, "bot");
    for (let i = 0; i < 3; i++) {
      await w.evaluate();
      w.deps.testClock.advance(20);
    }
    expect((await w.alerts("signature_failure"))[0]).toMatchObject({ state: "pending" });
    w.deps.testClock.advance(MIN);
    await w.evaluate();
    expect((await w.alerts("signature_failure"))[0]).toMatchObject({ state: "pending" });
    w.deps.testClock.advance(MIN);
    await w.evaluate();
    expect((await w.alerts("signature_failure"))[0]).toMatchObject({ state: "firing" });
  });

  it("a flap hold is timed too: repeated evaluations inside flapMinutes do not resolve the alert", async () => {
    const rule = ruleSchema.parse({ ...DEFAULT_RULES.find((r) => r.name === "response_time")!, windowMinutes: 5, flapMinutes: 10 });
    w = await alertWorld({ rules: [rule] });
    await storeEvent(w.deps, w.deps.clock(), { type: "response.sent", latency_ms: 20_000 });
    await w.evaluate();
    expect((await w.alerts("response_time"))[0]).toMatchObject({ state: "firing" });
    w.deps.testClock.advance(6 * MIN);
    for (let i = 0; i < 30; i++) {
      await w.evaluate();
      w.deps.testClock.advance(100);
    }
    expect((await w.alerts("response_time"))[0]).toMatchObject({ state: "firing" });
    w.deps.testClock.advance(10 * MIN);
    await w.evaluate();
    expect((await w.alerts("response_time"))[0]).toMatchObject({ state: "resolved" });
  });
});

describe("notifications are grouped by kind", () => {
  it("one alert of a rule resolving while another fires in the same evaluation sends a resolved and a firing message", async () => {
    w = await alertWorld();
    await forge(w, "bot-a");
    await w.evaluate();
    await w.deliver();
    // bot-a's failure leaves the 15-minute window in the same evaluation in which bot-b fails.
    w.deps.testClock.advance(16 * MIN);
    await forge(w, "bot-b");
    await w.evaluate();
    await w.deliver();
    const slack = w.sent.filter((s) => s.channel === "slack" && s.rule === "signature_failure");
    const states = Object.fromEntries((await w.alerts("signature_failure")).map((a) => [a.labels.source, a]));
    expect(slack.map((s) => `${s.kind}:${s.alerts.join(",")}`).sort()).toEqual(
      [`firing:${states["bot-a"]!.id}`, `firing:${states["bot-b"]!.id}`, `resolved:${states["bot-a"]!.id}`].sort(),
    );
  });
});
