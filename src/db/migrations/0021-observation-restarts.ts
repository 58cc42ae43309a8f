import type { Migration } from "./types.js";

// Seed 003: after a fix, a person "may need to restart the 24-hour period". Each restart is a
// row (who asked is the API key; why is the note), never a flag that is overwritten.
export const observationRestartsMigration: Migration = {
  id: 21,
  name: "stability: observation periods restarted by a person; an index of error events",
  statements: [
    `CREATE TABLE observation_restarts (
      id INTEGER PRIMARY KEY,
      at INTEGER NOT NULL,
      source TEXT,
      note TEXT NOT NULL
    )`,
    "CREATE INDEX observation_restarts_at ON observation_restarts (at)",
    // The report's error groups read the period's errors from raw events: a partial index holds
    // only error rows (rare), so that read never walks the period's other events, and costs a
    // webhook nothing unless it is an error.
    "CREATE INDEX webhook_events_errors ON webhook_events (received_at) WHERE type IN ('error', 'invalid_payload')",
  ],
};
