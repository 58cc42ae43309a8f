import type { Env } from "./env.js";
import type { Logger } from "./log.js";

/** A feature whose service is not configured says so once, at start; the rest keeps working. */
export function logConfiguredFeatures(env: Env, log: Logger): void {
  const off: Record<string, string> = {};
  if (!env.CRON_SECRET) off.crons = "CRON_SECRET is not set: cron routes refuse every call";
  if (!env.VIGIL_API_KEY) off.queries = "VIGIL_API_KEY is not set: query routes refuse every call";
  for (const [feature, reason] of Object.entries(off)) log.warn("feature disabled", { feature, reason });
}
