import type { Db } from "../db/client.js";

/** Small persistent facts of the monitor (watermark, Langfuse API version, budget pauses). */
export async function getState(db: Db, key: string): Promise<string | undefined> {
  const rs = await db.execute({ sql: "SELECT value FROM monitor_state WHERE key = ?", args: [key] });
  return rs.rows[0] ? String(rs.rows[0].value) : undefined;
}

export async function setState(db: Db, key: string, value: string, now: number): Promise<void> {
  await db.execute({
    sql: "INSERT INTO monitor_state (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    args: [key, value, now],
  });
}
