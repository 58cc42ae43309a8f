import type { Migration } from "./types.js";

/**
 * The session bookkeeping of an imported observation moves into a trigger: it runs for each
 * row a multi-row INSERT … ON CONFLICT DO NOTHING really adds, and for no other. The import
 * then writes a page of 1,000 observations in one statement instead of 2,000 (the upsert per
 * observation was most of a catch-up's time). Same upsert as before, now fed from the row.
 */
export const observationTriggerMigration: Migration = {
  id: 13,
  name: "monitoring: imported observations update their session in a trigger",
  statements: [
    "ALTER TABLE monitored_observations ADD COLUMN ends_session INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE monitored_observations ADD COLUMN imported_at INTEGER NOT NULL DEFAULT 0",
    `CREATE TRIGGER monitored_observation_added AFTER INSERT ON monitored_observations
     BEGIN
       INSERT INTO monitor_sessions (session_key, first_activity, last_activity, observation_count, ended, state, updated_at)
       VALUES (NEW.session_key, NEW.start_time, NEW.start_time, 1, NEW.ends_session, 'pending', NEW.imported_at)
       ON CONFLICT (session_key) DO UPDATE SET
         first_activity = min(first_activity, excluded.first_activity),
         last_activity = max(last_activity, excluded.last_activity),
         observation_count = observation_count + 1,
         ended = max(ended, excluded.ended),
         activity_version = activity_version + 1,
         attempts = CASE WHEN state IN ('analyzed', 'skipped', 'error') THEN 0 ELSE attempts END,
         state = CASE WHEN state IN ('analyzed', 'skipped', 'error') THEN 'pending' ELSE state END,
         updated_at = excluded.updated_at;
     END`,
  ],
};
