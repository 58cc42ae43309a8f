import type { Migration } from "./types.js";

// A score Langfuse refuses (400 inside the 207) would be refused again: the verdict is marked
// handled (scores_written_at) with the refusal's reason here, instead of being sent every cycle
// and holding a place in the pending window. The environment of the judged observations goes on
// the scores, so Langfuse's environment filter shows them beside the traces they judge.
export const scoresRefusedMigration: Migration = {
  id: 20,
  name: "monitoring_results: why Langfuse refused a verdict's scores, and the judged environment",
  statements: [
    "ALTER TABLE monitoring_results ADD COLUMN scores_refused TEXT",
    "ALTER TABLE monitoring_results ADD COLUMN environment TEXT",
  ],
};
