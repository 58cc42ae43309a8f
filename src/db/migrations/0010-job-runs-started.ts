import type { Migration } from "./types.js";

export const jobRunsStartedMigration: Migration = {
  id: 10,
  name: "retention of job runs: index on start time",
  statements: ["CREATE INDEX job_runs_started ON job_runs (started_at)"],
};
