import type { Migration } from "./types.js";

export const alertsMigration: Migration = {
  id: 5,
  name: "alerts: instances, transitions, silences, notification outbox",
  statements: [
    `CREATE TABLE alerts (
      id INTEGER PRIMARY KEY,
      rule TEXT NOT NULL,
      fingerprint TEXT NOT NULL,
      labels TEXT NOT NULL,
      severity TEXT NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('pending', 'firing', 'resolved')),
      summary TEXT NOT NULL,
      consecutive INTEGER NOT NULL DEFAULT 1,
      started_at INTEGER NOT NULL,
      fired_at INTEGER,
      cleared_at INTEGER,
      resolved_at INTEGER,
      last_notified_at INTEGER,
      acked_at INTEGER,
      updated_at INTEGER NOT NULL
    )`,
    // One open instance per rule + labels.
    "CREATE UNIQUE INDEX alerts_open_fingerprint ON alerts (fingerprint) WHERE state != 'resolved'",
    "CREATE INDEX alerts_rule_state ON alerts (rule, state)",
    "CREATE INDEX alerts_state_started ON alerts (state, started_at DESC)",
    "CREATE INDEX alerts_fingerprint_resolved ON alerts (fingerprint, resolved_at)",
    `CREATE TABLE alert_transitions (
      id INTEGER PRIMARY KEY,
      alert_id INTEGER NOT NULL REFERENCES alerts (id),
      from_state TEXT,
      to_state TEXT NOT NULL,
      reason TEXT NOT NULL,
      at INTEGER NOT NULL
    )`,
    "CREATE INDEX alert_transitions_alert ON alert_transitions (alert_id, at)",
    `CREATE TABLE silences (
      id INTEGER PRIMARY KEY,
      matchers TEXT NOT NULL,
      starts_at INTEGER NOT NULL,
      ends_at INTEGER NOT NULL,
      comment TEXT NOT NULL,
      created_at INTEGER NOT NULL
    )`,
    "CREATE INDEX silences_ends ON silences (ends_at)",
    `CREATE TABLE notifications (
      id INTEGER PRIMARY KEY,
      alert_id INTEGER NOT NULL REFERENCES alerts (id),
      rule TEXT NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('firing', 'repeat', 'resolved')),
      channel TEXT NOT NULL,
      group_key TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      next_attempt_at INTEGER NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      claim_holder TEXT,
      claim_until INTEGER NOT NULL DEFAULT 0,
      sent_at INTEGER,
      failed_at INTEGER,
      last_error TEXT
    )`,
    "CREATE INDEX notifications_due ON notifications (sent_at, failed_at, next_attempt_at)",
    "CREATE INDEX notifications_alert ON notifications (alert_id, created_at)",
    "CREATE INDEX notifications_group ON notifications (group_key)",
  ],
};
