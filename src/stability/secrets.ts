import { sourceKey } from "../security/webhook-secrets.js";
import type { SourceSettings } from "./known-sources.js";

export interface SourceSecrets {
  secrets: string[];
  /** True when the source has no secret of its own and signs with WEBHOOK_SECRET. */
  shared: boolean;
}

/** WEBHOOK_SECRET_<SOURCE> overrides WEBHOOK_SECRET; either may list several, comma-separated. */
export function secretsForSource(sources: SourceSettings, source: string): SourceSecrets {
  return sources.secrets.own.get(sourceKey(source)) ?? sources.secrets.shared;
}
