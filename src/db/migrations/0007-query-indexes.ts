import type { Migration } from "./types.js";

export const queryIndexesMigration: Migration = {
  id: 7,
  name: "queries at scale: per-agent counters, covering indexes for the 24 h aggregates",
  statements: [
    // All-time per-agent figures, kept in step with every execution write instead of grouping a million rows.
    `CREATE TABLE agent_stats (
      agent_name TEXT PRIMARY KEY,
      runs INTEGER NOT NULL DEFAULT 0,
      completed INTEGER NOT NULL DEFAULT 0,
      failed INTEGER NOT NULL DEFAULT 0,
      duration_count INTEGER NOT NULL DEFAULT 0,
      duration_sum INTEGER NOT NULL DEFAULT 0,
      duration_min INTEGER,
      duration_max INTEGER
    )`,
    `INSERT INTO agent_stats (agent_name, runs, completed, failed, duration_count, duration_sum, duration_min, duration_max)
     SELECT agent_name, COUNT(*), SUM(status = 'completed'), SUM(status = 'failed'), COUNT(duration_ms), COALESCE(SUM(duration_ms), 0), MIN(duration_ms), MAX(duration_ms)
     FROM agent_executions GROUP BY agent_name`,
    "CREATE INDEX agent_executions_started_status ON agent_executions (started_at, status)",
    "CREATE INDEX orchestrations_started_status ON orchestrations (started_at, status, duration_ms)",
    "CREATE INDEX orchestrations_completed_status ON orchestrations (completed_at, status)",
    "CREATE INDEX monitoring_results_analyzed_cover ON monitoring_results (analyzed_at, intent_type, verification_status)",
    "CREATE INDEX monitoring_results_diagnosed ON monitoring_results (diagnostic_status, analyzed_at)",
  ],
};
