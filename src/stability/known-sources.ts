import type { Db } from "../db/client.js";
import { sourceKey, type Env } from "../env.js";
import { splitSecrets } from "../security/webhook-secrets.js";

/**
 * A source exists when it is declared (WEBHOOK_SOURCES or its own secret). With nothing
 * declared, any well-formed name is accepted with the shared secret.
 */
export const isDeclaredSource = (env: Env, source: string) => env.declaredSources.includes(sourceKey(source));
export const sourcesAreDeclared = (env: Env) => env.declaredSources.length > 0;

// Spellings listed in WEBHOOK_SOURCES, by key; built once per configuration.
const listed = new WeakMap<Env, Map<string, string>>();

/**
 * The one name a source is stored, deduplicated, counted and rate-limited under. Secrets and
 * declarations match a name by its key (upper-cased, non-alphanumerics as `_`), so every spelling
 * with the same key is the same sender: `META`, `Meta` and `meta` must not be three sources, or a
 * captured delivery replays once per spelling and each spelling opens its own alerts. The name is
 * the spelling WEBHOOK_SOURCES lists; a source declared only by WEBHOOK_SECRET_<KEY> is its key in
 * lower case; any other name is folded to lower case.
 */
export function canonicalSource(env: Env, source: string): string {
  let spellings = listed.get(env);
  if (!spellings) {
    spellings = new Map(splitSecrets(env.WEBHOOK_SOURCES ?? "").map((name) => [sourceKey(name), name]));
    listed.set(env, spellings);
  }
  const key = sourceKey(source);
  return spellings.get(key) ?? (env.webhookSecretsBySource[key] !== undefined ? key.toLowerCase() : source.toLowerCase());
}

/** Counts for requests that cannot be tied to an existing source go under this one name. */
export const UNDECLARED_SOURCE = "(undeclared)";

/** Whether a source has stored events (within retention); uses the (source, dedupe_key) index. */
export async function hasStoredEvents(db: Db, source: string): Promise<boolean> {
  const rs = await db.execute({ sql: "SELECT 1 FROM webhook_events WHERE source = ? LIMIT 1", args: [source] });
  return rs.rows.length > 0;
}
