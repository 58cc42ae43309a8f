import { category, COUNTED, flags, KEY, slot } from "./0024-verdict-outcomes.js";
import type { Migration } from "./types.js";

// The verdict's row of its quarter hour (flag '') also carries what its conversation cost: whether
// the cost was measured, the bot's dollars (measured ones only) and the judge's. A verdict whose
// conversation carried no cost adds 0 to `measured` and to `bot_usd`: read as "not measured",
// never as $0. The flag rows carry no cost.
const cost = (r: string, sign: 1 | -1) =>
  `${sign} * (${r}.conversation_cost_usd IS NOT NULL), ${sign} * COALESCE(${r}.conversation_cost_usd, 0), ${sign} * COALESCE(${r}.cost_usd, 0)`;
const COST = "measured, bot_usd, judge_usd";

const count = (r: string, sign: 1 | -1) => `
  INSERT INTO verdict_outcomes_15m (${KEY}, n, flagged, ${COST})
  VALUES (${slot(r)}, ${r}.verification_status, ${category(r)}, ${r}.diagnostic_status IS 'complete', '', ${sign}, ${sign} * (${r}.quality_flags IS NOT NULL),
    ${cost(r, sign)})
  ON CONFLICT (${KEY}) DO UPDATE SET n = n + excluded.n, flagged = flagged + excluded.flagged,
    measured = measured + excluded.measured, bot_usd = bot_usd + excluded.bot_usd, judge_usd = judge_usd + excluded.judge_usd;
  INSERT INTO verdict_outcomes_15m (${KEY}, n, flagged)
  SELECT ${slot(r)}, ${r}.verification_status, ${category(r)}, ${r}.diagnostic_status IS 'complete', key, ${sign}, 0 FROM ${flags(r)} WHERE type = 'true'
  ON CONFLICT (${KEY}) DO UPDATE SET n = n + excluded.n;`;

const CHANGED = [...COUNTED, "conversation_cost_usd", "cost_usd"];

/**
 * Conversation cost per quarter hour beside the verdict outcomes, so the report's and the page's
 * cost by hour reads a day as 96 x a few rows instead of grouping every verdict of the day
 * (7.7 ms of the report's SQL on the bench database). The triggers are replaced by ones that
 * also count the cost (and move it when a verdict's cost or time changes); the quarter hours
 * already counted are counted again from the verdicts, in this migration's transaction, the way
 * the triggers count. The build before this one reads none of the new columns.
 */
export const verdictCostMigration: Migration = {
  id: 25,
  name: "monitoring: conversation cost per quarter hour beside the verdict outcomes; an index of the unreadable skipped",
  statements: [
    "ALTER TABLE verdict_outcomes_15m ADD COLUMN measured INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE verdict_outcomes_15m ADD COLUMN bot_usd REAL NOT NULL DEFAULT 0",
    "ALTER TABLE verdict_outcomes_15m ADD COLUMN judge_usd REAL NOT NULL DEFAULT 0",
    "DROP TRIGGER verdict_outcome_added",
    "DROP TRIGGER verdict_outcome_removed",
    "DROP TRIGGER verdict_outcome_changed",
    `CREATE TRIGGER verdict_outcome_added AFTER INSERT ON monitoring_results BEGIN ${count("NEW", 1)} END`,
    `CREATE TRIGGER verdict_outcome_removed AFTER DELETE ON monitoring_results BEGIN ${count("OLD", -1)} END`,
    `CREATE TRIGGER verdict_outcome_changed AFTER UPDATE OF ${CHANGED.join(", ")} ON monitoring_results
     WHEN ${CHANGED.map((c) => `OLD.${c} IS NOT NEW.${c}`).join(" OR ")}
     BEGIN ${count("OLD", -1)} ${count("NEW", 1)} END`,
    "DELETE FROM verdict_outcomes_15m",
    `INSERT INTO verdict_outcomes_15m (${KEY}, n, flagged, ${COST})
     SELECT ${slot("m")}, m.verification_status, ${category("m")}, m.diagnostic_status IS 'complete', '', COUNT(*), SUM(m.quality_flags IS NOT NULL),
       COUNT(m.conversation_cost_usd), COALESCE(SUM(m.conversation_cost_usd), 0), COALESCE(SUM(m.cost_usd), 0)
     FROM monitoring_results AS m GROUP BY 1, 2, 3, 4`,
    `INSERT INTO verdict_outcomes_15m (${KEY}, n, flagged)
     SELECT ${slot("m")}, m.verification_status, ${category("m")}, m.diagnostic_status IS 'complete', f.key, COUNT(*), 0
     FROM monitoring_results AS m, ${flags("m")} AS f WHERE f.type = 'true' GROUP BY 1, 2, 3, 4, 5`,
    // The page's count of conversations skipped as unreadable looked up every skipped verdict of
    // the day to read its error (1.5 ms on the bench database): these alone, by time (0.03 ms).
    `CREATE INDEX monitoring_results_unreadable ON monitoring_results (analyzed_at)
       WHERE verification_status = 'skipped' AND instr(error, 'unreadable_transcript') = 1`,
  ],
};
