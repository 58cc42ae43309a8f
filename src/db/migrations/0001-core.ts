import type { Migration } from "./types.js";

export const coreMigration: Migration = {
  id: 1,
  name: "core: job leases and job runs",
  statements: [
    `CREATE TABLE job_leases (
      job TEXT PRIMARY KEY,
      holder TEXT NOT NULL,
      lease_until INTEGER NOT NULL,
      acquired_at INTEGER NOT NULL
    )`,
    `CREATE TABLE job_runs (
      id TEXT PRIMARY KEY,
      job TEXT NOT NULL,
      started_at INTEGER NOT NULL,
      finished_at INTEGER,
      status TEXT NOT NULL CHECK (status IN ('running', 'ok', 'error', 'skipped')),
      duration_ms INTEGER,
      summary TEXT,
      error TEXT
    )`,
    "CREATE INDEX job_runs_job_started ON job_runs (job, started_at DESC)",
    "CREATE INDEX job_runs_job_status_started ON job_runs (job, status, started_at DESC)",
  ],
};
