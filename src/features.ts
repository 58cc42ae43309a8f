import type { Env } from "./env.js";
import { judgePrice } from "./integrations/model-prices.js";
import type { Logger } from "./log.js";

/** A feature whose service is not configured says so once, at start; the rest keeps working. */
export function logConfiguredFeatures(env: Env, log: Logger): void {
  const off: Record<string, string> = {};
  if (!env.CRON_SECRET) off.crons = "CRON_SECRET is not set: cron routes refuse every call";
  if (!env.VIGIL_API_KEY) off.queries = "VIGIL_API_KEY is not set: query routes refuse every call";
  if (!env.UPSTASH_REDIS_REST_URL) off.rate_limiting = "UPSTASH_REDIS_REST_URL is not set: webhook rate limiting is off";
  if (!env.WEBHOOK_SECRET && Object.keys(env.webhookSecretsBySource).length === 0) {
    off.webhooks = "no WEBHOOK_SECRET or WEBHOOK_SECRET_<SOURCE>: every webhook is refused with 401";
  } else if (env.declaredSources.length === 0) {
    off.source_list =
      "WEBHOOK_SOURCES is not set: any source name is accepted with the shared secret (declare sources to answer 404 to made-up ones)";
  }
  if (!env.LANGFUSE_PUBLIC_KEY || !env.LANGFUSE_SECRET_KEY)
    off.monitoring = "LANGFUSE_PUBLIC_KEY/LANGFUSE_SECRET_KEY are not set: conversations are not monitored";
  else if (!env.OPENAI_API_KEY) off.monitoring = "OPENAI_API_KEY is not set: conversations are imported but not judged";
  if (
    env.OPENAI_API_KEY &&
    !judgePrice(env.JUDGE_MODEL, { inPerMTok: env.JUDGE_PRICE_INPUT_PER_MTOK, outPerMTok: env.JUDGE_PRICE_OUTPUT_PER_MTOK })
  )
    off.judge_spend_cap = `JUDGE_MODEL ${JSON.stringify(env.JUDGE_MODEL)} has no built-in price and JUDGE_PRICE_INPUT_PER_MTOK/JUDGE_PRICE_OUTPUT_PER_MTOK are not set: JUDGE_MAX_COST_PER_DAY_USD cannot be enforced (JUDGE_MAX_TOKENS_PER_CYCLE still is)`;
  if (!env.SLACK_WEBHOOK_URL) off.slack_alerts = "SLACK_WEBHOOK_URL is not set: alerts skip the Slack channel";
  if (!env.ALERT_WEBHOOK_URL) off.webhook_alerts = "ALERT_WEBHOOK_URL is not set: alerts skip the webhook channel";
  if (!env.SMTP_HOST) off.email_alerts = "SMTP_HOST is not set: alerts skip the email channel";
  if (!env.PAGERDUTY_ROUTING_KEY) off.pagerduty_alerts = "PAGERDUTY_ROUTING_KEY is not set: alerts skip the PagerDuty channel";
  for (const [feature, reason] of Object.entries(off)) log.warn("feature disabled", { feature, reason });
}
