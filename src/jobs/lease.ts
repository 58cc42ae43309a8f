import type { Db } from "../db/client.js";

/**
 * Takes the job's lease in one guarded statement: it succeeds only if nobody holds an
 * unexpired lease, so two overlapping cron calls can never both run the job.
 */
export async function acquireLease(db: Db, job: string, holder: string, now: number, ttlMs: number): Promise<boolean> {
  const rs = await db.execute({
    sql: `INSERT INTO job_leases (job, holder, lease_until, acquired_at) VALUES (?, ?, ?, ?)
          ON CONFLICT (job) DO UPDATE SET holder = excluded.holder, lease_until = excluded.lease_until,
            acquired_at = excluded.acquired_at
          WHERE job_leases.lease_until <= ?`,
    args: [job, holder, now + ttlMs, now, now],
  });
  return rs.rowsAffected === 1;
}

/** Gives the lease back, only if this holder still has it. */
export async function releaseLease(db: Db, job: string, holder: string): Promise<void> {
  await db.execute({
    sql: "UPDATE job_leases SET lease_until = 0 WHERE job = ? AND holder = ?",
    args: [job, holder],
  });
}
