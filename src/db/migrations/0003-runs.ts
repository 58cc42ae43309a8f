import type { Migration } from "./types.js";

export const runsMigration: Migration = {
  id: 3,
  name: "runs: orchestrations, agent executions, events, reports and archives",
  statements: [
    `CREATE TABLE orchestrations (
      id INTEGER PRIMARY KEY,
      session_id TEXT NOT NULL UNIQUE,
      task_description TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'partial')),
      started_at INTEGER NOT NULL,
      completed_at INTEGER,
      duration_ms INTEGER,
      total_tasks INTEGER NOT NULL,
      completed_tasks INTEGER NOT NULL DEFAULT 0,
      failed_tasks INTEGER NOT NULL DEFAULT 0,
      git_commit_hash TEXT,
      plan_file_path TEXT,
      progress_file_path TEXT,
      last_progress_at INTEGER NOT NULL,
      last_message TEXT,
      completion_source TEXT CHECK (completion_source IN ('reported', 'derived')),
      stalled_at INTEGER
    )`,
    "CREATE INDEX orchestrations_started ON orchestrations (started_at DESC, id DESC)",
    "CREATE INDEX orchestrations_status_started ON orchestrations (status, started_at DESC, id DESC)",
    "CREATE INDEX orchestrations_status_progress ON orchestrations (status, last_progress_at)",
    "CREATE INDEX orchestrations_completed ON orchestrations (completed_at)",
    `CREATE TABLE agent_executions (
      id INTEGER PRIMARY KEY,
      orchestration_id INTEGER REFERENCES orchestrations (id) ON DELETE CASCADE,
      agent_session_id TEXT NOT NULL UNIQUE,
      agent_name TEXT NOT NULL,
      task_id TEXT,
      task_number INTEGER,
      status TEXT NOT NULL CHECK (status IN ('in_progress', 'completed', 'failed')),
      started_at INTEGER NOT NULL,
      completed_at INTEGER,
      duration_ms INTEGER,
      retry_count INTEGER NOT NULL DEFAULT 0,
      self_healed INTEGER NOT NULL DEFAULT 0,
      files_created INTEGER NOT NULL DEFAULT 0,
      files_modified INTEGER NOT NULL DEFAULT 0,
      error_message TEXT,
      summary_report_path TEXT,
      session_log_path TEXT
    )`,
    "CREATE INDEX agent_executions_orchestration ON agent_executions (orchestration_id, started_at)",
    "CREATE INDEX agent_executions_agent_started ON agent_executions (agent_name, started_at DESC)",
    "CREATE INDEX agent_executions_started ON agent_executions (started_at)",
    `CREATE TABLE events (
      id INTEGER PRIMARY KEY,
      type TEXT NOT NULL,
      subject TEXT NOT NULL,
      dedupe_key TEXT NOT NULL UNIQUE,
      payload TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      processed_at INTEGER
    )`,
    "CREATE INDEX events_unprocessed ON events (processed_at, created_at)",
    "CREATE INDEX events_type_created ON events (type, created_at)",
    `CREATE TABLE run_reports (
      session_id TEXT PRIMARY KEY,
      report TEXT NOT NULL,
      created_at INTEGER NOT NULL
    )`,
    `CREATE TABLE run_archives (
      session_id TEXT PRIMARY KEY,
      snapshot TEXT NOT NULL,
      sha256 TEXT NOT NULL,
      executions INTEGER NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('verified', 'failed')),
      created_at INTEGER NOT NULL,
      verified_at INTEGER,
      error TEXT
    )`,
  ],
};
