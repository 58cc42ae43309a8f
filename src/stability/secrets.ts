import { sourceKey, type Env } from "../env.js";
import { splitSecrets } from "../security/webhook-secrets.js";

export interface SourceSecrets {
  secrets: string[];
  /** True when the source has no secret of its own and signs with WEBHOOK_SECRET. */
  shared: boolean;
}

interface SecretTable {
  shared: SourceSecrets;
  own: Map<string, SourceSecrets>;
}

// Split once per configuration, not on every webhook; bounded by the variables set.
const tables = new WeakMap<Env, SecretTable>();

function tableFor(env: Env): SecretTable {
  let table = tables.get(env);
  if (!table) {
    table = {
      shared: { secrets: splitSecrets(env.WEBHOOK_SECRET ?? ""), shared: true },
      own: new Map(Object.entries(env.webhookSecretsBySource).map(([key, raw]) => [key, { secrets: splitSecrets(raw), shared: false }])),
    };
    tables.set(env, table);
  }
  return table;
}

/** WEBHOOK_SECRET_<SOURCE> overrides WEBHOOK_SECRET; either may list several, comma-separated. */
export function secretsForSource(env: Env, source: string): SourceSecrets {
  const table = tableFor(env);
  return table.own.get(sourceKey(source)) ?? table.shared;
}
