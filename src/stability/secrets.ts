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
  return own !== undefined ? { secrets: splitSecrets(own), shared: false } : { secrets: splitSecrets(env.WEBHOOK_SECRET ?? ""), shared: true };
}

/**
 * A source exists when it is declared (WEBHOOK_SOURCES or its own secret). With nothing
 * declared, any well-formed name is accepted with the shared secret.
 */
export const isDeclaredSource = (env: Env, source: string) => env.declaredSources.includes(sourceKey(source));
export const sourcesAreDeclared = (env: Env) => env.declaredSources.length > 0;

/** Counts for requests that cannot be tied to a declared source go under this one name. */
export const UNDECLARED_SOURCE = "(undeclared)";
