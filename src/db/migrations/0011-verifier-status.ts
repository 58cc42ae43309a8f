import type { Migration } from "./types.js";

/**
 * The system-of-record check as its own state: `verifier` kept only a JSON blob, and an
 * unreachable verifier was written there as verified. Rows from before get the status their blob
 * implies; the old fail-open ones become `unavailable` without a retry (their facts were never kept).
 */
export const verifierStatusMigration: Migration = {
  id: 11,
  name: "monitoring: system-of-record check status, attempts and retry time",
  statements: [
    "ALTER TABLE monitoring_results ADD COLUMN verifier_status TEXT CHECK (verifier_status IN ('verified', 'not_found', 'unavailable'))",
    "ALTER TABLE monitoring_results ADD COLUMN verifier_attempts INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE monitoring_results ADD COLUMN verifier_retry_at INTEGER",
    `UPDATE monitoring_results SET verifier_attempts = 1, verifier_status = CASE
        WHEN json_extract(verifier, '$.detail') LIKE 'verifier unavailable:%' THEN 'unavailable'
        WHEN json_extract(verifier, '$.verified') = 1 THEN 'verified'
        ELSE 'not_found' END
      WHERE verifier IS NOT NULL`,
    "CREATE INDEX monitoring_results_verifier ON monitoring_results (verifier_status, analyzed_at)",
    "CREATE INDEX monitoring_results_verifier_retry ON monitoring_results (verifier_retry_at) WHERE verifier_retry_at IS NOT NULL",
  ],
};
