import type { InStatement } from "@libsql/client";
import type { Db } from "../../db/client.js";
import type { Query } from "../../db/query.js";

/**
 * The one module with SQL for monitor_state: small persistent facts of the monitor, each key
 * named here so a misspelt key is a compile error instead of a fact never found.
 */
const STATE_KEYS = {
  /** Where the Langfuse import has read up to (ms). */
  watermark: true,
  /** Where everything before has been read once more after Langfuse's lag (ms). */
  settled: true,
  /** The slices each import pass found ahead of its mark (JSON). */
  import_ahead: true,
  /** The import's current slice width and page size. */
  slice_ms: true,
  page_limit: true,
  /** The Langfuse API version found by probing, and when it was probed. */
  langfuse_api: true,
  langfuse_api_at: true,
  /** Ids of unstorable observations already logged (JSON list). */
  poison_logged: true,
  /** The last import's end: when, caught up or not, its error (JSON). */
  import_status: true,
  /** No Langfuse request before this time (ms): its Retry-After. */
  langfuse_blocked_until: true,
  /** When the judge's budget last ran out (ms). */
  judge_budget_exhausted_at: true,
} as const;
export type StateKey = keyof typeof STATE_KEYS;

export async function getState(db: Db, key: StateKey): Promise<string | undefined> {
  const rs = await db.execute({ sql: "SELECT value FROM monitor_state WHERE key = ?", args: [key] });
  return rs.rows[0] ? String(rs.rows[0].value) : undefined;
}

/** A state write, for a batch with other writes. */
export const stateUpsert = (key: StateKey, value: string, now: number): InStatement => ({
  sql: "INSERT INTO monitor_state (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
  args: [key, value, now],
});

export async function setState(db: Db, key: StateKey, value: string, now: number): Promise<void> {
  await db.execute(stateUpsert(key, value, now));
}

/** Where the Langfuse import has read up to (ms), if it ever ran. */
export const importWatermark = (): Query<number | null> => ({
  statement: { sql: "SELECT value FROM monitor_state WHERE key = ?", args: ["watermark" satisfies StateKey] },
  map: (rs) => (rs.rows[0] ? Number(rs.rows[0].value) : null),
});
