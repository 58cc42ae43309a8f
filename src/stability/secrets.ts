import type { Env } from "../env.js";

/** WEBHOOK_SECRET_<SOURCE> overrides WEBHOOK_SECRET; either may list several, comma-separated. */
export function secretsForSource(env: Env, source: string): string[] {
  const key = source.toUpperCase().replace(/[^A-Z0-9]/g, "_");
  const raw = env.webhookSecretsBySource[key] ?? env.WEBHOOK_SECRET ?? "";
  return raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}
