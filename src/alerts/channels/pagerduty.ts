import { oneLine } from "../../security/control-characters.js";
import { postJson } from "./http-post.js";
import type { AlertMessage, ChannelDefinition, Sender } from "./sender.js";

// PagerDuty Events API v2 (PagerDuty/api-schema reference/events-v2/openapiv3.json): one event per
// alert instance, `trigger` while it fires and `resolve` when it clears, both with the instance's
// dedup_key so PagerDuty folds them into one alert. A retried group resends events that already got
// their 202: PagerDuty deduplicates a trigger or resolve of the same key, so nothing is paged twice.

/** Vigil's four severities onto PagerDuty's (payload.severity: critical, error, warning, info). */
const SEVERITY: Record<string, "critical" | "error" | "warning" | "info"> = {
  critical: "critical",
  high: "error",
  medium: "warning",
  low: "info",
};
/** PagerDuty truncates payload.summary past 1,024 characters; ours ends with an ellipsis instead. */
const SUMMARY_MAX = 1024;

/** One alert instance is one PagerDuty alert, on every route it is sent to. */
const dedupKey = (alertId: number) => `vigil-alert-${alertId}`;

type Alert = AlertMessage["alerts"][number];

export function pagerDutyEvent(routingKey: string, m: AlertMessage, a: Alert, source: string) {
  const dedup_key = dedupKey(a.id);
  if (m.kind === "resolved") return { routing_key: routingKey, event_action: "resolve", dedup_key };
  // Summaries carry bot-supplied text: one line, so an incident title cannot hold a forged second line.
  const summary = oneLine(`${m.rule}: ${a.summary}`);
  return {
    routing_key: routingKey,
    event_action: "trigger",
    dedup_key,
    payload: {
      summary: summary.length > SUMMARY_MAX ? `${summary.slice(0, SUMMARY_MAX - 1)}…` : summary,
      severity: SEVERITY[m.severity] ?? "error",
      source,
      timestamp: a.startedAt,
      component: "vigil",
      class: m.rule,
      custom_details: { rule: m.rule, severity: m.severity, labels: a.labels, since: a.startedAt, repeat: m.kind === "repeat" },
    },
    client: "Vigil",
    ...(m.statusUrl ? { client_url: m.statusUrl } : {}),
    ...(m.statusUrl ? { links: [{ href: m.statusUrl, text: "Vigil status page" }] } : {}),
  };
}

/** Sends each alert of the message as its own event to `url` with `routingKey`. */
function pagerDutySender(url: string, routingKey: string, source: string, clock: () => number, what: string): Sender {
  return async (m) => {
    for (const a of m.alerts) await postJson(url, JSON.stringify(pagerDutyEvent(routingKey, m, a, source)), {}, what, clock());
  };
}

/** payload.source: the deployment's host when it has a public address. */
const eventSource = (publicUrl: string | undefined) => (publicUrl ? new URL(publicUrl).host : "vigil");

/** PAGERDUTY_ROUTING_KEY (an Events API v2 integration key), posted to PAGERDUTY_EVENTS_URL. */
export const pagerDutyChannel: ChannelDefinition = {
  fromEnv(env, { clock }) {
    const key = env.PAGERDUTY_ROUTING_KEY;
    if (!key) return undefined;
    return pagerDutySender(env.PAGERDUTY_EVENTS_URL, key, eventSource(env.VIGIL_PUBLIC_URL), clock, "pagerduty");
  },
};

/** The second route: critical alerts nobody acknowledged in ALERT_ESCALATION_MINUTES (src/alerts/escalation.ts). */
export const pagerDutyEscalationChannel: ChannelDefinition = {
  fromEnv(env, { clock }) {
    const key = env.PAGERDUTY_ESCALATION_ROUTING_KEY;
    if (!key) return undefined;
    return pagerDutySender(env.PAGERDUTY_EVENTS_URL, key, eventSource(env.VIGIL_PUBLIC_URL), clock, "pagerduty escalation");
  },
};
