import type { Migration } from "./types.js";

export const ingestMarkMigration: Migration = {
  id: 6,
  name: "ingest: batch mark for set-based rollups",
  statements: [
    // Where the current ingest batch starts, so its rollups are computed from exactly its new rows.
    "CREATE TABLE ingest_mark (k INTEGER PRIMARY KEY, last_id INTEGER NOT NULL)",
  ],
};
