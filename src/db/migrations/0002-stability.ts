import type { Migration } from "./types.js";

export const stabilityMigration: Migration = {
  id: 2,
  name: "stability: webhook events, per-minute rollups, signature failures, checkpoints",
  statements: [
    `CREATE TABLE webhook_events (
      id INTEGER PRIMARY KEY,
      source TEXT NOT NULL,
      dedupe_key TEXT NOT NULL,
      type TEXT NOT NULL,
      received_at INTEGER NOT NULL,
      occurred_at INTEGER,
      conversation_id TEXT,
      message_id TEXT,
      latency_ms INTEGER,
      error_type TEXT,
      payload TEXT,
      UNIQUE (source, dedupe_key)
    )`,
    "CREATE INDEX webhook_events_received ON webhook_events (received_at)",
    `CREATE TABLE webhook_rollups (
      minute INTEGER NOT NULL,
      source TEXT NOT NULL,
      metric TEXT NOT NULL,
      key TEXT NOT NULL,
      value INTEGER NOT NULL,
      PRIMARY KEY (minute, source, metric, key)
    ) WITHOUT ROWID`,
    "CREATE INDEX webhook_rollups_metric_minute ON webhook_rollups (metric, minute)",
    `CREATE TABLE signature_failures (
      id INTEGER PRIMARY KEY,
      source TEXT NOT NULL,
      reason TEXT NOT NULL,
      received_at INTEGER NOT NULL
    )`,
    "CREATE INDEX signature_failures_received ON signature_failures (received_at)",
    `CREATE TABLE stability_checkpoints (
      window_start INTEGER PRIMARY KEY,
      window_end INTEGER NOT NULL,
      closed_at INTEGER NOT NULL,
      deliveries INTEGER NOT NULL,
      processed INTEGER NOT NULL,
      signature_failures INTEGER NOT NULL,
      errors INTEGER NOT NULL,
      success_rate REAL,
      error_rate REAL,
      avg_response_ms INTEGER,
      p95_response_ms INTEGER,
      status TEXT NOT NULL CHECK (status IN ('ok', 'warning', 'critical')),
      metrics TEXT NOT NULL,
      red_flags TEXT NOT NULL
    )`,
  ],
};
