import type { Logger } from "../../log.js";

/** One grouped message: the alerts of one evaluation of one rule, of one kind. */
export interface AlertMessage {
  groupKey: string;
  rule: string;
  severity: string;
  kind: "firing" | "repeat" | "resolved";
  alerts: { id: number; labels: Record<string, string>; summary: string; startedAt: string; resolvedAt: string | null }[];
  statusUrl: string | null;
}

/** Sends one grouped message; throws UpstreamError (retryable or not) when it could not. */
export type Sender = (message: AlertMessage) => Promise<void>;

export interface ChannelContext {
  log: Logger;
  clock: () => number;
}

/**
 * The channels' variables as the configuration parsed them: each channel reads its own here, next
 * to the code that uses them, and the composition root passes the parsed configuration in.
 */
export interface ChannelVariables {
  VIGIL_PUBLIC_URL?: string | undefined;
  SLACK_WEBHOOK_URL?: string | undefined;
  ALERT_WEBHOOK_URL?: string | undefined;
  ALERT_WEBHOOK_SECRET?: string | undefined;
  SMTP_HOST?: string | undefined;
  SMTP_PORT: number;
  SMTP_SECURE: boolean;
  SMTP_ALLOW_PLAINTEXT_LOCALHOST: boolean;
  SMTP_USER?: string | undefined;
  SMTP_PASSWORD?: string | undefined;
  ALERT_EMAIL_FROM?: string | undefined;
  ALERT_EMAIL_TO?: string | undefined;
  PAGERDUTY_ROUTING_KEY?: string | undefined;
  PAGERDUTY_ESCALATION_ROUTING_KEY?: string | undefined;
  PAGERDUTY_EVENTS_URL: string;
}

/** A notification channel: it builds its sender from its own variables. */
export interface ChannelDefinition {
  /** The sender, or undefined when this deployment has not configured the channel. */
  fromEnv(env: ChannelVariables, ctx: ChannelContext): Sender | undefined;
}

const EMOJI: Record<string, string> = { critical: "🔴", high: "🟠", medium: "🟡", low: "🔵" };
export const headline = (m: AlertMessage) =>
  `${m.kind === "resolved" ? "✅ RESOLVED" : `${EMOJI[m.severity] ?? ""} ${m.severity.toUpperCase()}`} ${m.rule}${m.alerts.length > 1 ? ` (${m.alerts.length})` : ""}${m.kind === "repeat" ? " — still firing" : ""}`;
