import type { Migration } from "./types.js";

// A guarded batch (src/db/guarded-batch.ts) whose primary has several dependents records there
// whether the primary changed a row, since changes() only speaks for the statement just before.
// A row per nesting depth, overwritten before every read inside the same transaction. Without
// rowid, so setting it leaves last_insert_rowid() to the primary (alert notifications use it).
export const batchGuardsMigration: Migration = {
  id: 16,
  name: "guarded batches: the flag that tells a primary's dependents whether it changed a row",
  statements: ["CREATE TABLE batch_guards (depth INTEGER PRIMARY KEY, armed INTEGER NOT NULL) WITHOUT ROWID"],
};
