import type { Db } from "../db/client.js";

export type LeaseRefusal = "locked" | "already_ran";

/**
 * Takes the job's lease in one guarded statement: it succeeds only if nobody holds an
 * unexpired lease, so two overlapping cron calls can never both run the job. With a `slot`
 * (the scheduled minute a run is for) it also succeeds only once per slot, so a cron delivered
 * again after the first run finished does nothing either. Answers why it was refused.
 */
export async function acquireLease(
  db: Db,
  job: string,
  holder: string,
  now: number,
  ttlMs: number,
  slot = 0,
): Promise<LeaseRefusal | undefined> {
  const rs = await db.execute({
    sql: `INSERT INTO job_leases (job, holder, lease_until, acquired_at, slot) VALUES (?, ?, ?, ?, ?)
          ON CONFLICT (job) DO UPDATE SET holder = excluded.holder, lease_until = excluded.lease_until,
            acquired_at = excluded.acquired_at, slot = excluded.slot
          WHERE job_leases.lease_until <= ? AND (excluded.slot = 0 OR job_leases.slot < excluded.slot)`,
    args: [job, holder, now + ttlMs, now, slot, now],
  });
  if (rs.rowsAffected === 1) return undefined;
  const held = await db.execute({ sql: "SELECT lease_until FROM job_leases WHERE job = ?", args: [job] });
  return Number(held.rows[0]?.lease_until ?? 0) > now ? "locked" : "already_ran";
}

/** Gives the lease back, only if this holder still has it. */
export async function releaseLease(db: Db, job: string, holder: string): Promise<void> {
  await db.execute({
    sql: "UPDATE job_leases SET lease_until = 0 WHERE job = ? AND holder = ?",
    args: [job, holder],
  });
}
