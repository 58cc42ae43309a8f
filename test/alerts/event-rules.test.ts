import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { channelsFromEnv } from "../../src/alerts/channels/registry.js";
import { defaultRules } from "../../src/alerts/rules.js";
import { readRulesSource, rulesFrom } from "../../src/alerts/rules-source.js";
import { depsFromEnv } from "../../src/deps.js";
import { ConfigError } from "../../src/errors.js";
import { alertWorld, type AlertWorld } from "../helpers/alerts.js";
import { captureLogs, testEnv } from "../helpers/deps.js";
import { storeRun, storeRunEnd } from "../runs/factories.js";

// Seed 004's alert engine: a LOW console notice when a run completes, and rules in a config file
// over any event type ("event_types: [custom_event]"), here with a count threshold and a window.
let w: AlertWorld | undefined;
afterEach(() => {
  w?.t.cleanup();
  w = undefined;
});

const MIN = 60_000;
const dir = mkdtempSync(join(tmpdir(), "vigil-event-rules-"));
const rulesFile = (name: string, rules: unknown[]) => {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify({ rules }));
  return path;
};
let seq = 0;
const emit = (world: AlertWorld, type: string, subject: string) =>
  world.t.db.execute({
    sql: "INSERT INTO events (type, subject, dedupe_key, payload, created_at) VALUES (?, ?, ?, '{}', ?)",
    args: [type, subject, `test:${type}:${subject}:${++seq}`, world.deps.clock()],
  });

describe("run_completed", () => {
  it("is a LOW notice on the console by default: one line per completed run, no resolved message", async () => {
    const logs = captureLogs();
    const env = testEnv();
    w = await alertWorld({ channels: channelsFromEnv(env, { log: logs.logger, clock: Date.now }) });
    await storeRun(w.deps, { sessionId: "build-7", taskDescription: "Build and deploy", totalTasks: 10 });
    await storeRunEnd(w.deps, "build-7", { status: "completed", completedTasks: 10, failedTasks: 0 });
    await w.evaluate();
    await w.deliver();
    const notices = logs.records().filter((r) => r.msg === "alert" && r.rule === "run_completed");
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({
      level: "info",
      severity: "low",
      kind: "firing",
      alerts: [{ labels: { session: "build-7" }, summary: "run build-7 completed: 10/10 tasks" }],
    });

    w.deps.testClock.advance(16 * MIN);
    await w.evaluate();
    await w.deliver();
    expect((await w.alerts("run_completed")).map((a) => a.state)).toEqual(["resolved"]);
    expect(logs.records().filter((r) => r.msg === "alert" && r.rule === "run_completed")).toHaveLength(1);
  });
});

describe("rules over any event type", () => {
  const stormRule = {
    name: "stall_storm",
    signal: "events",
    eventTypes: ["run_stalled", "deploy_rolled_back"],
    threshold: 3,
    windowMinutes: 30,
    severity: "high",
    channels: ["console"],
    repeatMinutes: 60,
  };

  it("fire when the count of matching events in the window reaches the threshold, and resolve when it drops", async () => {
    const rules = rulesFrom(
      readRulesSource({ ALERT_RULES_FILE: rulesFile("storm.json", [stormRule]) }),
      defaultRules({ fulfillmentFailureRate: 0.2 }),
    );
    w = await alertWorld({ rules: rules.filter((r) => r.name === "stall_storm") });
    await emit(w, "run_stalled", "r1");
    await emit(w, "deploy_rolled_back", "web-42");
    await emit(w, "run_failed", "r2"); // not one of its types
    await w.evaluate();
    expect(await w.alerts("stall_storm")).toHaveLength(0);

    w.deps.testClock.advance(10 * MIN);
    await emit(w, "deploy_rolled_back", "web-43");
    await w.evaluate();
    await w.deliver();
    const [alert] = await w.alerts("stall_storm");
    expect(alert).toMatchObject({
      state: "firing",
      severity: "high",
      summary: "3 event(s) in 30 min (deploy_rolled_back: 2, run_stalled: 1); latest deploy_rolled_back of web-43",
    });
    expect(w.sent.map((s) => [s.channel, s.kind])).toEqual([["console", "firing"]]);

    // The first two leave the 30-minute window.
    w.deps.testClock.advance(21 * MIN);
    await w.evaluate();
    await w.deliver();
    expect((await w.alerts("stall_storm"))[0]!.state).toBe("resolved");
    expect(w.sent.map((s) => s.kind)).toEqual(["firing", "resolved"]);
  });

  it.each([
    ["without event types", { ...stormRule, eventTypes: undefined }, "rules.0.eventTypes"],
    ["event types on a built-in signal", { ...stormRule, signal: "run_failed" }, "rules.0.eventTypes"],
    ["a malformed event type", { ...stormRule, eventTypes: ["Run Stalled"] }, "rules.0.eventTypes.0"],
  ])("stop start-up when a rule is written %s, naming the file and the field", (_name, rule, field) => {
    const path = rulesFile(`bad-${field}-${_name.length}.json`, [rule]);
    expect(() => depsFromEnv(testEnv({ ALERT_RULES_FILE: path }))).toThrow(ConfigError);
    expect(() => depsFromEnv(testEnv({ ALERT_RULES_FILE: path }))).toThrow(new RegExp(`${path}: ${field.replace(/\./g, "\\.")}:`));
  });
});
