import type { Migration } from "./types.js";

/**
 * What each conversation cost the bot, from Langfuse's per-observation cost. NULL is "not
 * measured" (Langfuse knew no price), never $0: a sum over NULLs stays NULL. The verdict keeps the
 * conversation's sum as of its activity version, so cost per conversation and per fulfilled one is
 * read beside the verdict, and survives the observations' retention. Columns only: the build
 * before this one writes neither and reads neither.
 */
export const conversationCostMigration: Migration = {
  id: 23,
  name: "monitoring: the bot's cost per observation and per judged conversation",
  statements: [
    "ALTER TABLE monitored_observations ADD COLUMN cost_usd REAL",
    "ALTER TABLE monitoring_results ADD COLUMN conversation_cost_usd REAL",
  ],
};
