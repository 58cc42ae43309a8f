import { afterEach, describe, expect, it } from "vitest";
import { pagerDutyEvent } from "../../src/alerts/channels/pagerduty.js";
import type { AlertMessage } from "../../src/alerts/channels/sender.js";
import { DEFAULT_RULES } from "../../src/alerts/rules.js";
import { heartbeat } from "../../src/jobs/heartbeat.js";
import { startFakePagerDuty, type FakePagerDuty, type PagerDutyEvent } from "../../fakes/pagerduty-server.js";
import { alertWorld } from "../helpers/alerts.js";
import type { TestDb } from "../helpers/db.js";
import { apiAuth, testEnv } from "../helpers/deps.js";
import { storeSignatureFailure } from "../stability/factories.js";

let t: TestDb | undefined;
let pd: FakePagerDuty | undefined;
afterEach(async () => {
  await pd?.close();
  t?.cleanup();
  pd = undefined;
  t = undefined;
});

const MIN = 60_000;
const KEY = "R0UTINGKEY0123456789abcdef012345";
const SECOND_KEY = "ESCALATE0123456789abcdef01234567";

/** The real PagerDuty channel (pointed at the fake), the default rules, one heartbeat a minute. */
async function world(extraEnv: Record<string, string> = {}) {
  pd = await startFakePagerDuty();
  const env = {
    WEBHOOK_SOURCES: "bot",
    PAGERDUTY_ROUTING_KEY: KEY,
    PAGERDUTY_EVENTS_URL: pd.url,
    VIGIL_PUBLIC_URL: "https://vigil.example.com",
    ...extraEnv,
  };
  const w = await alertWorld({ rules: DEFAULT_RULES, channels: "from env", env });
  t = w.t;
  return {
    ...w,
    /** A refused delivery's count: a critical signature_failure alert. */
    forge: () => storeSignatureFailure(w.deps, "bot", w.deps.clock()),
    minute: async () => {
      await heartbeat(w.deps, w.deps.clock());
      w.deps.testClock.advance(MIN);
    },
  };
}

describe("PagerDuty Events v2 channel", () => {
  it("triggers on a critical alert and resolves it with the same dedup key", async () => {
    const w = await world();
    await w.forge();
    await w.minute();
    const [alert] = (await t!.db.execute("SELECT id FROM alerts WHERE rule = 'signature_failure'")).rows;
    expect(pd!.events).toHaveLength(1);
    expect(pd!.events[0]).toMatchObject({
      routing_key: KEY,
      event_action: "trigger",
      dedup_key: `vigil-alert-${alert!.id}`,
      payload: {
        severity: "critical",
        source: "vigil.example.com",
        class: "signature_failure",
        custom_details: { labels: { source: "bot" } },
      },
      links: [{ href: "https://vigil.example.com/status", text: "Vigil status page" }],
    });
    expect(pd!.events[0]!.payload!.summary).toMatch(/^signature_failure: .*bot/);
    // The window (15 minutes) passes without another bad signature: the alert resolves.
    for (let m = 0; m < 17; m++) await w.minute();
    expect(pd!.events.map((e) => e.event_action)).toEqual(["trigger", "resolve"]);
    expect(pd!.events[1]).toEqual({ routing_key: KEY, event_action: "resolve", dedup_key: `vigil-alert-${alert!.id}` });
    expect(pd!.alerts.get(`${KEY}/vigil-alert-${alert!.id}`)).toBe("resolved");
  });

  it("retries 429 and 5xx until PagerDuty accepts: one incident, nothing lost", async () => {
    const w = await world();
    await w.forge();
    pd!.script.push({ status: 429 }, { status: 502 }, { status: 500 });
    for (let m = 0; m < 10; m++) await w.minute();
    expect(pd!.attempts).toBe(4);
    expect(pd!.events.filter((e) => e.event_action === "trigger")).toHaveLength(1);
    const rows = (await t!.db.execute("SELECT attempts, sent_at, failed_at FROM notifications WHERE channel = 'pagerduty'")).rows;
    expect(rows).toEqual([expect.objectContaining({ attempts: 4, failed_at: null })]);
    expect(rows[0]!.sent_at).not.toBeNull();
  });

  it("gives up an event PagerDuty refuses (400) without retrying it", async () => {
    const w = await world();
    await w.forge();
    pd!.script.push({ status: 400 });
    for (let m = 0; m < 5; m++) await w.minute();
    expect(pd!.attempts).toBe(1);
    const [row] = (await t!.db.execute("SELECT failed_at, last_error FROM notifications WHERE channel = 'pagerduty'")).rows;
    expect(row).toMatchObject({ failed_at: expect.any(Number), last_error: expect.stringContaining("HTTP 400") });
  });

  it("maps severities and keeps a hostile summary on one line within PagerDuty's 1,024 characters", () => {
    const m = (severity: string, summary: string): AlertMessage => ({
      groupKey: "g",
      rule: "r",
      severity,
      kind: "firing",
      alerts: [{ id: 7, labels: {}, summary, startedAt: "2026-11-23T12:00:00.000Z", resolvedAt: null }],
      statusUrl: null,
    });
    const payloadOf = (msg: AlertMessage) => (pagerDutyEvent(KEY, msg, msg.alerts[0]!, "src") as PagerDutyEvent).payload!;
    const severityOf = (s: string) => payloadOf(m(s, "x")).severity;
    expect(["critical", "high", "medium", "low"].map(severityOf)).toEqual(["critical", "error", "warning", "info"]);
    const hostile = m("critical", `boom\nRESOLVED: all clear\u2028${"y".repeat(2000)}`);
    const summary = payloadOf(hostile).summary;
    expect(summary).not.toMatch(/[\n\u2028]/);
    expect(summary.length).toBeLessThanOrEqual(1024);
  });

  it("refuses a routing key that is not an Events v2 integration key at start", () => {
    expect(() => testEnv({ PAGERDUTY_ROUTING_KEY: "short" })).toThrow(/PAGERDUTY_ROUTING_KEY/);
  });
});

describe("escalation to the second route", () => {
  it("re-notifies a critical alert unacknowledged for ALERT_ESCALATION_MINUTES on the second key, once, and resolves it there", async () => {
    const w = await world({ PAGERDUTY_ESCALATION_ROUTING_KEY: SECOND_KEY, ALERT_ESCALATION_MINUTES: "10" });
    const onSecond = () => pd!.events.filter((e) => e.routing_key === SECOND_KEY);
    for (let m = 0; m < 14; m++) {
      if (m % 5 === 0) await w.forge();
      // Two heartbeats at once, every minute: still one escalation.
      await Promise.all([heartbeat(w.deps, w.deps.clock()), heartbeat(w.deps, w.deps.clock())]);
      w.deps.testClock.advance(MIN);
      expect(onSecond(), `minute ${m}`).toHaveLength(m < 10 ? 0 : 1);
    }
    const [alert] = (await t!.db.execute("SELECT id FROM alerts")).rows;
    expect(onSecond()[0]).toMatchObject({
      event_action: "trigger",
      dedup_key: `vigil-alert-${alert!.id}`,
      payload: { severity: "critical" },
    });
    for (let m = 0; m < 20; m++) await w.minute();
    expect(onSecond().map((e) => e.event_action)).toEqual(["trigger", "resolve"]);
    expect(pd!.alerts.get(`${SECOND_KEY}/vigil-alert-${alert!.id}`)).toBe("resolved");
    expect(pd!.alerts.get(`${KEY}/vigil-alert-${alert!.id}`)).toBe("resolved");
  });

  it("does not escalate an alert acknowledged in time", async () => {
    const w = await world({ PAGERDUTY_ESCALATION_ROUTING_KEY: SECOND_KEY, ALERT_ESCALATION_MINUTES: "10" });
    await w.forge();
    await w.minute();
    const [alert] = (await t!.db.execute("SELECT id FROM alerts")).rows;
    expect((await w.app.request(`/api/alerts/${alert!.id}/ack`, { method: "POST", headers: apiAuth })).status).toBe(200);
    for (let m = 0; m < 14; m++) {
      if (m % 5 === 0) await w.forge();
      await w.minute();
    }
    expect(pd!.events.filter((e) => e.routing_key === SECOND_KEY)).toEqual([]);
  });

  it("does not escalate a silenced alert", async () => {
    const w = await world({ PAGERDUTY_ESCALATION_ROUTING_KEY: SECOND_KEY, ALERT_ESCALATION_MINUTES: "10" });
    const until = new Date(w.deps.clock() + 3 * 3600_000).toISOString();
    const silence = await w.app.request("/api/silences", {
      method: "POST",
      headers: { ...apiAuth, "content-type": "application/json" },
      body: JSON.stringify({ matchers: { rule: "signature_failure" }, until, comment: "rotating the secret" }),
    });
    expect(silence.status).toBe(201);
    for (let m = 0; m < 14; m++) {
      if (m % 5 === 0) await w.forge();
      await w.minute();
    }
    expect((await t!.db.execute("SELECT state FROM alerts WHERE rule = 'signature_failure'")).rows[0]).toMatchObject({ state: "firing" });
    expect(pd!.events).toEqual([]);
  });
});
