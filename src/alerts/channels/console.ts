import type { ChannelDefinition } from "./sender.js";

const level = (severity: string) => (severity === "critical" || severity === "high" ? "error" : severity === "medium" ? "warn" : "info");

/** The log: always configured, so an alert is never sent nowhere. */
export const consoleChannel: ChannelDefinition = {
  fromEnv:
    (_env, { log }) =>
    async (m) =>
      log[m.kind === "resolved" ? "info" : level(m.severity)]("alert", {
        job: "heartbeat",
        rule: m.rule,
        severity: m.severity,
        kind: m.kind,
        alerts: m.alerts,
      }),
};
