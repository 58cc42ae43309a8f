import type { Migration } from "./types.js";

export const hostileSendersMigration: Migration = {
  id: 12,
  name: "hostile senders: cross-source replay key, once-per-minute jobs, health write probe",
  statements: [
    // Under the shared secret a signature does not bind the source: such keys are unique across sources.
    "ALTER TABLE webhook_events ADD COLUMN shared_key INTEGER NOT NULL DEFAULT 0",
    "CREATE UNIQUE INDEX webhook_events_shared_key ON webhook_events (dedupe_key) WHERE shared_key = 1",
    // The scheduled slot (minute) a job last ran for, so a cron delivered again in it does nothing.
    "ALTER TABLE job_leases ADD COLUMN slot INTEGER NOT NULL DEFAULT 0",
    // GET /api/health writes here to prove the database takes writes, not just reads.
    "CREATE TABLE health_probe (k INTEGER PRIMARY KEY, at INTEGER NOT NULL)",
  ],
};
