import type { Migration } from "./types.js";

// events.processed_at was stamped on every row by every heartbeat and never read: rules count
// events by their created_at window. Dropping it ends a write per heartbeat and an index kept
// up on every insert.
export const dropProcessedAtMigration: Migration = {
  id: 17,
  name: "events: drop processed_at, written every minute and never read",
  statements: ["DROP INDEX IF EXISTS events_unprocessed", "ALTER TABLE events DROP COLUMN processed_at"],
};
