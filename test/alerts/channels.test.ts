import { describe, expect, it } from "vitest";
import { CHANNELS, channels, channelsFromEnv } from "../../src/alerts/channels/registry.js";
import { captureLogs, testEnv } from "../helpers/deps.js";

describe("channel registry", () => {
  it("has one module per channel a rule may name", () => {
    expect(Object.keys(channels).sort()).toEqual([...CHANNELS].sort());
  });

  it("configures only the channels whose settings are present; console always", () => {
    const ctx = { log: captureLogs().logger, clock: () => 0 };
    expect(Object.keys(channelsFromEnv(testEnv({}), ctx))).toEqual(["console"]);
    const all = testEnv({
      SLACK_WEBHOOK_URL: "https://hooks.slack.example/x",
      ALERT_WEBHOOK_URL: "https://receiver.example/hook",
      ALERT_WEBHOOK_SECRET: `whsec_${Buffer.from("alert-webhook-signing-key-01").toString("base64")}`,
      SMTP_HOST: "smtp.example.com",
      ALERT_EMAIL_FROM: "vigil@example.com",
      ALERT_EMAIL_TO: "ops@example.com",
      PAGERDUTY_ROUTING_KEY: "R0UTINGKEY0123456789abcdef012345",
      PAGERDUTY_ESCALATION_ROUTING_KEY: "ESCALATE0123456789abcdef01234567",
    });
    expect(Object.keys(channelsFromEnv(all, ctx)).sort()).toEqual([...CHANNELS].sort());
  });
});
