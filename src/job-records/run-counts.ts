import type { Query } from "../db/query.js";

/** Job runs started since `since`, by job and status. */
export const jobRunCounts = (since: number): Query<{ job: string; status: string; n: number }[]> => ({
  // Left to itself SQLite walks the whole (job, status, started_at) index to save the sort; today's rows are few.
  statement: {
    sql: "SELECT job, status, COUNT(*) AS n FROM job_runs INDEXED BY job_runs_started WHERE started_at >= ? GROUP BY 1, 2",
    args: [since],
  },
  map: (rs) => rs.rows.map((r) => ({ job: String(r.job), status: String(r.status), n: Number(r.n) })),
});

/** When each job last started a run (one indexed look-up per job through job_runs_job_started). */
export const lastRunPerJob = (jobs: readonly string[]): Query<{ job: string; at: number | null }[]> => ({
  statement: {
    sql: jobs.map(() => "SELECT ? AS job, (SELECT MAX(started_at) FROM job_runs WHERE job = ?) AS at").join(" UNION ALL "),
    args: jobs.flatMap((j) => [j, j]),
  },
  map: (rs) => rs.rows.map((r) => ({ job: String(r.job), at: r.at === null ? null : Number(r.at) })),
});
