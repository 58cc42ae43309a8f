import { randomUUID } from "node:crypto";
import type { Transporter } from "nodemailer";
import type { Env } from "../env.js";
import { UpstreamError } from "../errors.js";
import type { Logger } from "../log.js";
import { signStandardWebhook } from "../stability/signatures.js";
import type { Channel } from "./rules.js";

export interface AlertMessage {
  groupKey: string;
  rule: string;
  severity: string;
  kind: "firing" | "repeat" | "resolved";
  alerts: { id: number; labels: Record<string, string>; summary: string; startedAt: string; resolvedAt: string | null }[];
  statusUrl: string | null;
}

/** Sends one grouped message; throws UpstreamError (retryable or not) when it could not. */
export type ChannelSender = (message: AlertMessage) => Promise<void>;

const EMOJI: Record<string, string> = { critical: "🔴", high: "🟠", medium: "🟡", low: "🔵" };
const headline = (m: AlertMessage) =>
  `${m.kind === "resolved" ? "✅ RESOLVED" : `${EMOJI[m.severity] ?? ""} ${m.severity.toUpperCase()}`} ${m.rule}${m.alerts.length > 1 ? ` (${m.alerts.length})` : ""}${m.kind === "repeat" ? " — still firing" : ""}`;

async function post(url: string, body: string, headers: Record<string, string>, what: string): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, { method: "POST", body, headers: { "content-type": "application/json", ...headers }, signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    throw new UpstreamError(`${what}: ${(error as Error).message}`, true, { cause: error });
  }
  await res.body?.cancel();
  if (res.ok) return;
  const retryAfter = Number(res.headers.get("retry-after"));
  // 429 and 5xx are worth another try; any other answer will not change.
  throw new UpstreamError(`${what} answered HTTP ${res.status}`, res.status === 429 || res.status >= 500, {
    retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
  });
}

/**
 * Slack reads `<…>` as links and mentions (`<!channel>`) and `&` as an entity in mrkdwn and in
 * the top-level text; summaries and labels carry bot-supplied strings, so these three are
 * escaped as Slack documents (api.slack.com/reference/surfaces/formatting#escaping).
 */
const slackEscape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
/** The fallback text shown in notifications; Slack truncates past 40,000 characters, ours stays short. */
export const SLACK_TEXT_MAX = 3000;
const bound = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

export function slackPayload(m: AlertMessage) {
  const lines = m.alerts.map((a) => `• ${slackEscape(a.summary)}${Object.keys(a.labels).length ? ` _(${slackEscape(Object.entries(a.labels).map(([k, v]) => `${k}=${v}`).join(", "))})_` : ""} — since ${a.startedAt}`);
  return {
    text: bound(slackEscape(`${headline(m)}: ${m.alerts.map((a) => a.summary).join("; ")}`), SLACK_TEXT_MAX),
    blocks: [
      { type: "header", text: { type: "plain_text", text: headline(m).slice(0, 150) } },
      { type: "section", text: { type: "mrkdwn", text: bound(lines.join("\n"), 2900) } },
      ...(m.statusUrl ? [{ type: "context", elements: [{ type: "mrkdwn", text: `<${m.statusUrl}|Vigil status page>` }] }] : []),
    ],
  };
}

/** The channels this deployment can use; one not configured is absent (and said so once at start). */
export function channelsFromEnv(env: Env, log: Logger): Partial<Record<Channel, ChannelSender>> {
  const level = (severity: string) => (severity === "critical" || severity === "high" ? "error" : severity === "medium" ? "warn" : "info");
  const channels: Partial<Record<Channel, ChannelSender>> = {
    console: async (m) => log[m.kind === "resolved" ? "info" : level(m.severity)]("alert", { job: "heartbeat", rule: m.rule, severity: m.severity, kind: m.kind, alerts: m.alerts }),
  };
  if (env.SLACK_WEBHOOK_URL) {
    const url = env.SLACK_WEBHOOK_URL;
    channels.slack = (m) => post(url, JSON.stringify(slackPayload(m)), {}, "slack webhook");
  }
  if (env.ALERT_WEBHOOK_URL && env.ALERT_WEBHOOK_SECRET) {
    const [url, secret] = [env.ALERT_WEBHOOK_URL, env.ALERT_WEBHOOK_SECRET];
    channels.webhook = (m) => {
      const body = JSON.stringify({ type: `alert.${m.kind}`, ...m });
      // The group key is the webhook id: a receiver deduplicates a redelivery by it.
      // With the kind: one evaluation can both resolve and fire alerts of a rule (two messages).
      const id = `alert_${Buffer.from(`${m.groupKey}:${m.kind}`).toString("base64url")}`;
      const ts = Math.floor(Date.now() / 1000);
      return post(url, body, { "webhook-id": id, "webhook-timestamp": String(ts), "webhook-signature": signStandardWebhook(secret, id, ts, body), "x-vigil-delivery": randomUUID() }, "alert webhook");
    };
  }
  if (env.SMTP_HOST && env.ALERT_EMAIL_FROM && env.ALERT_EMAIL_TO) {
    // nodemailer is imported on first send: most function instances never send an e-mail.
    let transport: Promise<Transporter> | undefined;
    const options = {
      host: env.SMTP_HOST,
      port: env.SMTP_PORT,
      secure: env.SMTP_SECURE,
      // Without implicit TLS, STARTTLS is required: a server (or a man in the middle) that does
      // not offer it gets no AUTH in clear. Only a loopback relay may be allowed without it.
      requireTLS: !env.SMTP_SECURE && !env.SMTP_ALLOW_PLAINTEXT_LOCALHOST,
      auth: env.SMTP_USER ? { user: env.SMTP_USER, pass: env.SMTP_PASSWORD ?? "" } : undefined,
      connectionTimeout: 10_000,
      socketTimeout: 10_000,
    };
    const mailer = () => (transport ??= import("nodemailer").then(({ createTransport }) => createTransport(options)));
    const [from, to] = [env.ALERT_EMAIL_FROM, env.ALERT_EMAIL_TO];
    channels.email = async (m) => {
      try {
        await (await mailer()).sendMail({ from, to, subject: `[Vigil] ${headline(m)}`, text: emailText(m) });
      } catch (error) {
        const code = (error as { responseCode?: number }).responseCode;
        // 5xx SMTP replies are permanent; connection errors and 4xx are worth retrying.
        throw new UpstreamError(`smtp: ${(error as Error).message}`, code === undefined || code < 500, { cause: error });
      }
    };
  }
  return channels;
}

function emailText(m: AlertMessage): string {
  return [
    headline(m),
    "",
    ...m.alerts.map((a) => `- ${a.summary}\n  labels: ${JSON.stringify(a.labels)}\n  since: ${a.startedAt}${a.resolvedAt ? `\n  resolved: ${a.resolvedAt}` : ""}`),
    ...(m.statusUrl ? ["", `Status page: ${m.statusUrl}`] : []),
  ].join("\n");
}
