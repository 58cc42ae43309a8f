import type { Migration } from "./types.js";

// What one verdict row adds to the outcomes of its quarter hour: a row for the verdict (with
// whether it carries quality flags) and one per quality flag it raises; `sign` -1 takes it away
// again. Malformed JSON counts as no category and no flags: a bad judge answer can never fail
// the verdict's own write.
export const slot = (r: string) => `(${r}.analyzed_at / 900000) * 900000`;
export const category = (r: string) =>
  `CASE WHEN json_valid(${r}.diagnostic_report_json) THEN COALESCE(json_extract(${r}.diagnostic_report_json, '$.category'), '') ELSE '' END`;
export const flags = (r: string) =>
  `json_each(CASE WHEN json_valid(${r}.quality_flags) THEN CASE json_type(${r}.quality_flags) WHEN 'object' THEN ${r}.quality_flags END END)`;
export const KEY = "slot, status, category, diagnosed, flag";

const count = (r: string, sign: 1 | -1) => `
  INSERT INTO verdict_outcomes_15m (${KEY}, n, flagged)
  VALUES (${slot(r)}, ${r}.verification_status, ${category(r)}, ${r}.diagnostic_status IS 'complete', '', ${sign}, ${sign} * (${r}.quality_flags IS NOT NULL))
  ON CONFLICT (${KEY}) DO UPDATE SET n = n + excluded.n, flagged = flagged + excluded.flagged;
  INSERT INTO verdict_outcomes_15m (${KEY}, n, flagged)
  SELECT ${slot(r)}, ${r}.verification_status, ${category(r)}, ${r}.diagnostic_status IS 'complete', key, ${sign}, 0 FROM ${flags(r)} WHERE type = 'true'
  ON CONFLICT (${KEY}) DO UPDATE SET n = n + excluded.n;`;

export const COUNTED = ["analyzed_at", "verification_status", "diagnostic_status", "diagnostic_report_json", "quality_flags"];

/**
 * Verdict outcomes per quarter hour (status, diagnosed category, quality flags), so the report,
 * /status and regression detection read a day as 96 x a few rows instead of json_extract over
 * every verdict. Quarter hours like webhook_rollups_15m: a regression baseline (taken at the
 * quarter hour) is read from this table alone. Kept by triggers: a count changes in the same
 * statement as its verdict, on every write path (verdict, verifier flip, diagnosis, seed import),
 * so a crash cannot split them, and an overwritten verdict moves its count (old taken away, new
 * added) instead of adding a second.
 */
export const verdictOutcomesMigration: Migration = {
  id: 24,
  name: "monitoring: verdict outcomes per quarter hour, status, category and quality flag, kept by triggers",
  statements: [
    `CREATE TABLE verdict_outcomes_15m (
      slot INTEGER NOT NULL,
      status TEXT NOT NULL,
      category TEXT NOT NULL,
      diagnosed INTEGER NOT NULL,
      -- '': the verdicts themselves (flagged: those carrying quality flags); else the verdicts raising that flag.
      flag TEXT NOT NULL,
      n INTEGER NOT NULL,
      flagged INTEGER NOT NULL,
      PRIMARY KEY (${KEY})
    ) WITHOUT ROWID`,
    `CREATE TRIGGER verdict_outcome_added AFTER INSERT ON monitoring_results BEGIN ${count("NEW", 1)} END`,
    `CREATE TRIGGER verdict_outcome_removed AFTER DELETE ON monitoring_results BEGIN ${count("OLD", -1)} END`,
    `CREATE TRIGGER verdict_outcome_changed AFTER UPDATE OF ${COUNTED.join(", ")} ON monitoring_results
     WHEN ${COUNTED.map((c) => `OLD.${c} IS NOT NEW.${c}`).join(" OR ")}
     BEGIN ${count("OLD", -1)} ${count("NEW", 1)} END`,
    // The verdicts stored before this migration, counted the way the triggers count.
    `INSERT INTO verdict_outcomes_15m (${KEY}, n, flagged)
     SELECT ${slot("m")}, m.verification_status, ${category("m")}, m.diagnostic_status IS 'complete', '', COUNT(*), SUM(m.quality_flags IS NOT NULL)
     FROM monitoring_results AS m GROUP BY 1, 2, 3, 4`,
    `INSERT INTO verdict_outcomes_15m (${KEY}, n, flagged)
     SELECT ${slot("m")}, m.verification_status, ${category("m")}, m.diagnostic_status IS 'complete', f.key, COUNT(*), 0
     FROM monitoring_results AS m, ${flags("m")} AS f WHERE f.type = 'true' GROUP BY 1, 2, 3, 4, 5`,
  ],
};
