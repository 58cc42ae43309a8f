import type { Migration } from "./types.js";

// The stability report's Bot Response Quality Checks read a day of verdicts' quality flags on
// every request: partial (only judged rows) and covering (no table lookup per verdict).
export const qualityFlagsIndexMigration: Migration = {
  id: 15,
  name: "quality checks: covering index on judged verdicts by time",
  statements: [
    "CREATE INDEX monitoring_results_quality ON monitoring_results (analyzed_at, quality_flags, session_id) WHERE quality_flags IS NOT NULL",
  ],
};
