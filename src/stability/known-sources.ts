import type { Db } from "../db/client.js";
import { sourceKey, type Env } from "../env.js";

/**
 * A source exists when it is declared (WEBHOOK_SOURCES or its own secret). With nothing
 * declared, any well-formed name is accepted with the shared secret.
 */
export const isDeclaredSource = (env: Env, source: string) => env.declaredSources.includes(sourceKey(source));
export const sourcesAreDeclared = (env: Env) => env.declaredSources.length > 0;

/** Counts for requests that cannot be tied to an existing source go under this one name. */
export const UNDECLARED_SOURCE = "(undeclared)";

/** Whether a source has stored events (within retention); uses the (source, dedupe_key) index. */
export async function hasStoredEvents(db: Db, source: string): Promise<boolean> {
  const rs = await db.execute({ sql: "SELECT 1 FROM webhook_events WHERE source = ? LIMIT 1", args: [source] });
  return rs.rows.length > 0;
}
