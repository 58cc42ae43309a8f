import { createApp } from "../../src/app.js";
import { channelsFromEnv } from "../../src/alerts/channels/registry.js";
import type { Sender } from "../../src/alerts/channels/sender.js";
import { evaluateAlerts } from "../../src/alerts/engine.js";
import { deliverySettings } from "../../src/alerts/delivery-settings.js";
import { deliverNotifications } from "../../src/alerts/outbox.js";
import { defaultRules, type Channel, type Rule } from "../../src/alerts/rules.js";
import { thresholdsFrom } from "../../src/stability/thresholds.js";
import { createTestDb, type TestDb } from "./db.js";
import { captureLogs, testClock, testDeps, testEnv } from "./deps.js";
import { WEBHOOK_SECRET } from "./webhooks.js";

export interface AlertWorld {
  t: TestDb;
  deps: ReturnType<typeof testDeps>;
  app: ReturnType<typeof createApp>;
  sent: { channel: Channel; rule: string; kind: string; alerts: number[] }[];
  evaluate(): Promise<unknown>;
  deliver(): Promise<unknown>;
  alerts(rule?: string): Promise<Record<string, any>[]>;
}

/** Declared, so their signature failures are counted (and alert) under their own names. */
const ALERT_WORLD_SOURCES = "bot,bot-a,bot-b,bot-c,other";

/** A database, the real app and engine, and channels that record what they were asked to send. */
export async function alertWorld(
  options: {
    rules?: Rule[];
    /** The channels to send through; "from env": the real ones the env configures (fakes' URLs). */
    channels?: Partial<Record<Channel, Sender>> | "from env";
    env?: Record<string, string>;
  } = {},
): Promise<AlertWorld> {
  const t = await createTestDb();
  const sent: AlertWorld["sent"] = [];
  const recorder =
    (channel: Channel): Sender =>
    async (m) =>
      void sent.push({ channel, rule: m.rule, kind: m.kind, alerts: m.alerts.map((a) => a.id) });
  const env = testEnv({ WEBHOOK_SECRET, WEBHOOK_SOURCES: ALERT_WORLD_SOURCES, ...options.env });
  const [logs, clock] = [captureLogs(), testClock()];
  const channels =
    options.channels === "from env"
      ? channelsFromEnv(env, { log: logs.logger, clock: clock.now })
      : (options.channels ?? { console: recorder("console"), slack: recorder("slack") });
  // As depsFromEnv builds them: the default rules take their thresholds from the env.
  const rules = options.rules ?? defaultRules({ fulfillmentFailureRate: env.FULFILLMENT_FAILURE_RATE, stability: thresholdsFrom(env) });
  const deps = testDeps({ db: t.db, env, logs, clock, alerts: { rules, channels } });
  const app = createApp(deps);
  return {
    t,
    deps,
    app,
    sent,
    evaluate: () => evaluateAlerts(deps, deps.clock(), rules, Object.keys(channels) as Channel[]),
    deliver: () => deliverNotifications(deps, deps.clock(), channels, deliverySettings(deps.env)),
    async alerts(rule) {
      const rs = await t.db.execute({
        sql: "SELECT * FROM alerts WHERE (? IS NULL OR rule = ?) ORDER BY id",
        args: [rule ?? null, rule ?? null],
      });
      return rs.rows.map((r) => ({ ...r, labels: JSON.parse(String(r.labels)) }));
    },
  };
}
