import type { Migration } from "./types.js";

/**
 * An observation without a session takes its trace's session (Langfuse v4 sets the session per
 * observation), so the import looks stored rows up by trace id, a page at a time.
 */
export const observationTraceIndexMigration: Migration = {
  id: 18,
  name: "monitoring: observations found by trace",
  statements: ["CREATE INDEX monitored_observations_trace ON monitored_observations (trace_id)"],
};
