import type { Migration } from "./types.js";

export const rollupMarkMigration: Migration = {
  id: 14,
  name: "ingest: rollups caught up from a mark instead of in each webhook's commit",
  statements: [
    // Every event stored so far was counted by the old write path: the catch-up starts after them.
    `INSERT INTO ingest_mark (k, last_id) VALUES (0, (SELECT COALESCE(MAX(id), 0) FROM webhook_events))
     ON CONFLICT (k) DO UPDATE SET last_id = excluded.last_id`,
  ],
};
