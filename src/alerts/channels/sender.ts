import type { Env } from "../../env.js";
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

/** A notification channel: its settings are read from Env here, next to the code that uses them. */
export interface ChannelDefinition {
  /** The sender, or undefined when this deployment has not configured the channel. */
  fromEnv(env: Env, ctx: ChannelContext): Sender | undefined;
}

const EMOJI: Record<string, string> = { critical: "🔴", high: "🟠", medium: "🟡", low: "🔵" };
export const headline = (m: AlertMessage) =>
  `${m.kind === "resolved" ? "✅ RESOLVED" : `${EMOJI[m.severity] ?? ""} ${m.severity.toUpperCase()}`} ${m.rule}${m.alerts.length > 1 ? ` (${m.alerts.length})` : ""}${m.kind === "repeat" ? " — still firing" : ""}`;
