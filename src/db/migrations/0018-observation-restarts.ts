import type { Migration } from "./types.js";

// Seed 003: after a fix, a person "may need to restart the 24-hour period". Each restart is a
// row (who asked is the API key; why is the note), never a flag that is overwritten.
export const observationRestartsMigration: Migration = {
  id: 18,
  name: "stability: observation periods restarted by a person",
  statements: [
    `CREATE TABLE observation_restarts (
      id INTEGER PRIMARY KEY,
      at INTEGER NOT NULL,
      source TEXT,
      note TEXT NOT NULL
    )`,
    "CREATE INDEX observation_restarts_at ON observation_restarts (at)",
  ],
};
