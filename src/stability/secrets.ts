import { sourceKey, type Env } from "../env.js";
import { splitSecrets } from "../security/webhook-secrets.js";

export interface SourceSecrets {
  secrets: string[];
  /** True when the source has no secret of its own and signs with WEBHOOK_SECRET. */
  shared: boolean;
}

/** WEBHOOK_SECRET_<SOURCE> overrides WEBHOOK_SECRET; either may list several, comma-separated. */
export function secretsForSource(env: Env, source: string): SourceSecrets {
  const own = env.webhookSecretsBySource[sourceKey(source)];
  return own !== undefined
    ? { secrets: splitSecrets(own), shared: false }
    : { secrets: splitSecrets(env.WEBHOOK_SECRET ?? ""), shared: true };
}
