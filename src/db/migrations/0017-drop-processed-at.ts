import type { Migration } from "./types.js";

// events.processed_at was stamped on every row by every heartbeat and never read: rules count
// events by their created_at window. The index kept up on every insert goes now. The column
// stays (nullable, no longer written) so that a build from before this one — a Vercel instant
// rollback, an instance still warm during a deploy — still runs its heartbeat, which writes it;
// a later migration may drop it once no such build can run.
export const dropProcessedAtMigration: Migration = {
  id: 17,
  name: "events: stop indexing processed_at, written every minute and never read",
  statements: ["DROP INDEX IF EXISTS events_unprocessed"],
};
