import { sourceKey } from "../security/signing-keys.js";
import type { SourceSecrets, SourceSettings } from "./known-sources.js";

/** WEBHOOK_SECRET_<SOURCE> overrides WEBHOOK_SECRET; either may list several, comma-separated. */
export function secretsForSource(sources: SourceSettings, source: string): SourceSecrets {
  return sources.secrets.own.get(sourceKey(source)) ?? sources.secrets.shared;
}
