import type { Migration } from "./types.js";

export const quarterRollupsMigration: Migration = {
  id: 8,
  name: "stability: 15-minute rollups beside the per-minute ones",
  statements: [
    `CREATE TABLE webhook_rollups_15m (
      slot INTEGER NOT NULL,
      source TEXT NOT NULL,
      metric TEXT NOT NULL,
      key TEXT NOT NULL,
      value INTEGER NOT NULL,
      PRIMARY KEY (slot, source, metric, key)
    ) WITHOUT ROWID`,
    `INSERT INTO webhook_rollups_15m (slot, source, metric, key, value)
     SELECT (minute / 900000) * 900000, source, metric, key, CASE WHEN metric = 'latency_max' THEN MAX(value) ELSE SUM(value) END
     FROM webhook_rollups GROUP BY 1, 2, 3, 4`,
  ],
};
