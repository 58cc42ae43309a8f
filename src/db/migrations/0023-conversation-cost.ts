import type { Migration } from "./types.js";

/**
 * What each conversation cost the bot, from Langfuse's per-observation cost. NULL is "not
 * measured" (Langfuse knew no price), never $0: a sum over NULLs stays NULL. The verdict keeps the
 * conversation's sum as of its activity version, so cost per conversation and per fulfilled one is
 * read beside the verdict, and survives the observations' retention. Columns and an index only: the
 * build before this one writes neither column and reads neither.
 */
export const conversationCostMigration: Migration = {
  id: 23,
  name: "monitoring: the bot's cost per observation and per judged conversation",
  statements: [
    "ALTER TABLE monitored_observations ADD COLUMN cost_usd REAL",
    "ALTER TABLE monitoring_results ADD COLUMN conversation_cost_usd REAL",
    // The report groups the window's verdicts by release (their outcome and cost): a partial
    // covering index, so that read touches only verdicts that carry one and never the rows themselves.
    `CREATE INDEX monitoring_results_release ON monitoring_results
       (analyzed_at, release, verification_status, release_version, prompt, conversation_cost_usd)
       WHERE release IS NOT NULL`,
    // Cost per conversation (report, page, metrics) and its regression samples read a day and a
    // baseline week of verdicts by time: covering, so each reads the index and never the rows
    // (a day at 11k verdicts: 8.5 → 2.7 ms for the sums).
    "CREATE INDEX monitoring_results_cost ON monitoring_results (analyzed_at, verification_status, conversation_cost_usd, cost_usd)",
  ],
};
