import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type FakeAlertReceiver, startAlertReceiver } from "../../fakes/alert-webhook-receiver.js";
import { channelsFromEnv } from "../../src/alerts/channels/registry.js";
import { readRulesSource, rulesFrom, rulesFromEnv } from "../../src/alerts/rules-source.js";
import { DEFAULT_RULES, defaultRules } from "../../src/alerts/rules.js";
import { createApp } from "../../src/app.js";
import { depsFromEnv } from "../../src/deps.js";
import { ConfigError } from "../../src/errors.js";
import { alertWorld, type AlertWorld } from "../helpers/alerts.js";
import { createTestDb } from "../helpers/db.js";
import { captureLogs, cronAuth, testEnv } from "../helpers/deps.js";
import { call } from "../helpers/runs.js";

// Seed 004 ("Phase 7 Monitoring Automation", § Alert Configuration): its alerts.yaml as a team
// has it, loaded as written, and its custom_rule firing on a custom event recorded over HTTP.
const SEED_ALERTS_YAML = `# phase7_monitoring/modules/alerting/config/alerts.yaml
alert_rules:
  - name: "run_failure"
    event_types: ["run_failed"]
    severity: critical
    channels: ["console", "slack"]
    throttle_minutes: 15
  - name: "archival_failure"
    event_types: ["archival_failure"]
    severity: high
    channels: ["console", "slack"]
    throttle_minutes: 30
  - name: "run_stalled"
    event_types: ["run_stalled"]
    severity: medium
    channels: ["console", "slack"]
    throttle_minutes: 60
  - name: "step_failure"
    event_types: ["step_failure"]
    severity: medium
    channels: ["console"]
    throttle_minutes: 30
  - name: "custom_rule"
    event_types: ["custom_event"]
    severity: high
    channels: ["slack", "email"]
    throttle_minutes: 30
`;
const thresholds = { fulfillmentFailureRate: 0.2 };
const dir = mkdtempSync(join(tmpdir(), "vigil-seed-rules-"));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const fromText = (text: string) => rulesFrom({ name: "ALERT_RULES_JSON", text }, defaultRules(thresholds));

describe("the seed's alerts.yaml", () => {
  it("loads as written: run_failure is the run-failed rule, throttle_minutes the repeat, event_types a custom rule", () => {
    const rules = rulesFrom(readRulesSource({ ALERT_RULES_FILE: file("alerts.yaml", SEED_ALERTS_YAML) }), defaultRules(thresholds));
    const byName = Object.fromEntries(rules.map((r) => [r.name, r]));
    expect(rules).toHaveLength(DEFAULT_RULES.length + 1);
    expect(byName.run_failure).toBeUndefined();
    expect(byName.run_failed).toMatchObject({
      signal: "run_failed",
      severity: "critical",
      channels: ["console", "slack"],
      repeatMinutes: 15,
    });
    expect(byName.run_failed!.eventTypes).toBeUndefined();
    expect(byName.run_stalled).toMatchObject({ signal: "run_stalled", channels: ["console", "slack"], windowMinutes: 60 });
    expect(byName.custom_rule).toMatchObject({
      signal: "events",
      eventTypes: ["custom_event"],
      severity: "high",
      channels: ["slack", "email"],
      repeatMinutes: 30,
      windowMinutes: 30,
    });
  });

  it("and the same rules as JSON, in Vigil's names", () => {
    const rules = fromText(
      JSON.stringify({
        rules: [
          {
            name: "custom_rule",
            signal: "events",
            eventTypes: ["custom_event"],
            severity: "high",
            channels: ["slack"],
            windowMinutes: 30,
            repeatMinutes: 30,
          },
        ],
      }),
    );
    expect(rules.find((r) => r.name === "custom_rule")).toMatchObject({ signal: "events", eventTypes: ["custom_event"] });
  });

  it.each([
    [
      "a misspelt key",
      "alert_rules:\n  - name: x\n    event_types: [a]\n    severity: low\n    channels: [console]\n    throtle_minutes: 5\n",
      "alert_rules.0.throtle_minutes: unknown field",
    ],
    [
      "a bad value, named as the file wrote it",
      "alert_rules:\n  - name: x\n    event_types: [A B]\n    severity: low\n    channels: [console]\n    throttle_minutes: 5\n",
      "alert_rules.0.event_types.0:",
    ],
    ["an unknown top-level key", "alert_rule:\n  - name: x\n", 'expected an object with a list "rules"'],
    ["YAML that does not parse", "alert_rules: [\n", "cannot read it as YAML or JSON"],
  ])("refuses %s, naming the source and the field", (_n, text, expected) => {
    expect(() => fromText(text)).toThrow(ConfigError);
    expect(() => fromText(text)).toThrow(`ALERT_RULES_JSON: ${expected}`);
  });
});

describe("rules from the environment on a deployment", () => {
  const deployed = (vars: Record<string, string>) => testEnv({ NODE_ENV: "production", ...vars });

  it("ALERT_RULES_JSON loads its rules (JSON or YAML), over ALERT_RULES_FILE", () => {
    const logs = captureLogs();
    const env = deployed({ ALERT_RULES_JSON: SEED_ALERTS_YAML, ALERT_RULES_FILE: join(dir, "missing.yaml") });
    const rules = rulesFromEnv(env, logs.logger, true);
    expect(rules.find((r) => r.name === "custom_rule")).toMatchObject({ eventTypes: ["custom_event"] });
    expect(logs.records().filter((r) => r.level === "error")).toEqual([]);
  });

  it.each([
    ["a broken ALERT_RULES_JSON", { ALERT_RULES_JSON: "alert_rules: [" }, "ALERT_RULES_JSON"],
    [
      "a rules file the function does not have",
      { ALERT_RULES_FILE: "config/not-bundled.yaml" },
      "ALERT_RULES_FILE config/not-bundled.yaml",
    ],
  ])("%s is one error line naming it; /api/health stays 200 and the built-in rules alert", async (_n, vars, named) => {
    const logs = captureLogs();
    const t = await createTestDb();
    try {
      const deps = depsFromEnv(deployed(vars), { db: t.db, log: logs.logger });
      expect(deps.alerts.rules.map((r) => r.name)).toEqual(DEFAULT_RULES.map((r) => r.name));
      const app = createApp(deps);
      expect((await app.request("/api/cron/heartbeat", { headers: cronAuth })).status).toBe(200);
      const res = await app.request("/api/health");
      expect(res.status, await res.clone().text()).toBe(200);
      const errors = logs.records().filter((r) => r.level === "error");
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ msg: "alert rules not loaded: the built-in rules apply" });
      expect(String(errors[0]!.reason)).toContain(named);
    } finally {
      t.cleanup();
    }
  });

  it("locally a broken source still stops start-up, where someone reads it", () => {
    expect(() => depsFromEnv(testEnv({ ALERT_RULES_JSON: "alert_rules: [" }))).toThrow(/ALERT_RULES_JSON: cannot read it/);
  });
});

describe("custom events", () => {
  let receiver: FakeAlertReceiver;
  const received = () =>
    receiver.received.map((r) => JSON.parse(r.body.toString()) as { type: string; rule: string; alerts: { summary: string }[] });
  let w: AlertWorld | undefined;
  beforeAll(async () => {
    receiver = await startAlertReceiver();
  });
  afterAll(() => receiver.close());
  afterEach(() => {
    w?.t.cleanup();
    w = undefined;
    receiver.received.length = 0;
  });

  it("a recorded custom_event fires the seed's custom_rule, and the alert webhook forwards its message", async () => {
    const env = {
      ALERT_WEBHOOK_URL: receiver.url,
      ALERT_WEBHOOK_SECRET: `whsec_${Buffer.from("alert-webhook-signing-key-01").toString("base64")}`,
    };
    const rules = fromText(SEED_ALERTS_YAML.replace('channels: ["slack", "email"]', 'channels: ["webhook"]'));
    const ctx = { log: captureLogs().logger, clock: Date.now };
    w = await alertWorld({ rules: rules.filter((r) => r.name === "custom_rule"), env, channels: channelsFromEnv(testEnv(env), ctx) });
    const event = {
      id: "deploy-42-rollback",
      type: "custom_event",
      subject: "deploy-42",
      message: "canary failed",
      labels: { env: "prod" },
    };
    const first = await call(w.app, "POST", "/api/events", event);
    expect(first.status).toBe(201);
    expect(first.body.event).toMatchObject({
      type: "custom_event",
      subject: "deploy-42",
      message: "canary failed",
      labels: { env: "prod" },
      source: "api",
    });
    // A retry is the same event, stored once; different content under the id is refused.
    expect((await call(w.app, "POST", "/api/events", event)).status).toBe(200);
    expect((await call(w.app, "POST", "/api/events", { ...event, message: "other" })).status).toBe(409);

    await w.evaluate();
    await w.deliver();
    const [alert] = await w.alerts("custom_rule");
    expect(alert).toMatchObject({ state: "firing", severity: "high" });
    expect(received()).toHaveLength(1);
    expect(received()[0]).toMatchObject({ type: "alert.firing", rule: "custom_rule", severity: "high" });
    expect(received()[0]!.alerts[0]!.summary).toBe(
      "1 event(s) in 30 min (custom_event: 1); latest custom_event of deploy-42: canary failed",
    );

    const listed = await call(w.app, "GET", "/api/events?type=custom_event");
    expect(listed.body.events).toHaveLength(1);
    expect(listed.body.events[0]).toMatchObject({ key: "deploy-42-rollback", labels: { env: "prod" } });
  });

  it("lists every event newest first with a cursor, and refuses Vigil's own types and unknown fields", async () => {
    w = await alertWorld();
    for (let i = 0; i < 3; i++)
      expect((await call(w.app, "POST", "/api/events", { type: "nightly.failed", subject: `n${i}` })).status).toBe(201);
    const page1 = await call(w.app, "GET", "/api/events?limit=2");
    expect(page1.body.events.map((e: { subject: string }) => e.subject)).toEqual(["n2", "n1"]);
    const page2 = await call(w.app, "GET", `/api/events?limit=2&cursor=${page1.body.nextCursor}`);
    expect(page2.body).toMatchObject({ events: [{ subject: "n0" }], nextCursor: null });

    const own = await call(w.app, "POST", "/api/events", { type: "run_failed", subject: "fake-run" });
    expect(own.status).toBe(400);
    expect(own.body.error.problems[0].field).toBe("type");
    const typo = await call(w.app, "POST", "/api/events", { type: "x", subject: "s", mesage: "m" });
    expect(typo.body.error.problems).toEqual([{ field: "mesage", message: "unknown field" }]);

    // The log is kept RETENTION_DAYS (30), like the raw webhook events: the API cannot grow it forever.
    w.deps.testClock.advance(31 * 86_400_000);
    const checkpoint = await w.app.request("/api/cron/checkpoint", { headers: cronAuth });
    expect((await checkpoint.json()).retention).toMatchObject({ deletedLogEvents: 3 });
    expect((await call(w.app, "GET", "/api/events")).body.events).toEqual([]);
  });
});
