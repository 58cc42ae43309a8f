import type { Db } from "./client.js";

/** Writes the one probe row: a read says nothing about writes (a read-only file, a full disk, a replica). */
export async function writeProbe(db: Db, now: number): Promise<void> {
  await db.execute({
    sql: "INSERT INTO health_probe (k, at) VALUES (0, ?) ON CONFLICT (k) DO UPDATE SET at = excluded.at",
    args: [now],
  });
}
