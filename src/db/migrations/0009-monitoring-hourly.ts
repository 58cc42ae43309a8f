import type { Migration } from "./types.js";

/** Recounts the hourly verdicts from monitoring_results (the migration's backfill; seeds reuse it). */
export const RECOUNT_MONITORING_HOURLY = `INSERT OR REPLACE INTO monitoring_hourly (hour, intent, status, n)
  SELECT (analyzed_at / 3600000) * 3600000, COALESCE(intent_type, 'none'), verification_status, COUNT(*) FROM monitoring_results GROUP BY 1, 2, 3`;

export const monitoringHourlyMigration: Migration = {
  id: 9,
  name: "monitoring: verdict counts per hour, intent and status",
  statements: [
    `CREATE TABLE monitoring_hourly (
      hour INTEGER NOT NULL,
      intent TEXT NOT NULL,
      status TEXT NOT NULL,
      n INTEGER NOT NULL,
      PRIMARY KEY (hour, intent, status)
    ) WITHOUT ROWID`,
    RECOUNT_MONITORING_HOURLY,
  ],
};
