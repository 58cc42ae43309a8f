import type { Query } from "../db/query.js";
import { QUALITY_FLAGS } from "./quality-counts.js";

/** Completed diagnoses (of failed and partial conversations) analysed since `since`, by category; both statuses named so the index reads only the range. */
export const diagnosesByCategory = (since: number): Query<{ category: string; n: number }[]> => ({
  statement: {
    sql: `SELECT COALESCE(json_extract(diagnostic_report_json, '$.category'), 'unknown') AS category, COUNT(*) AS n FROM monitoring_results
          WHERE diagnostic_status = 'complete' AND verification_status IN ('fail', 'partial') AND analyzed_at >= ? GROUP BY 1`,
    args: [since],
  },
  map: (rs) => rs.rows.map((r) => ({ category: String(r.category), n: Number(r.n) })),
});

export interface JudgedOutcomes {
  judged: number;
  /** Judged conversations not fulfilled (fail or partial). */
  unfulfilled: number;
  /** Failed or partial conversations by diagnosed category. */
  byCategory: Record<string, number>;
  /** Verdicts that carry quality flags, and how many carry each. */
  flagged: number;
  flags: Record<string, number>;
}

/**
 * Judged verdicts in [from, to) or, with `days`, in the same hours of each of the `days` days
 * before it (a baseline), by diagnosed category.
 */
export function judgedOutcomes(from: number, to: number, days?: number): Query<JudgedOutcomes> {
  const day = 86_400_000;
  const width = Math.min(day, to - from);
  // The window itself, or one index range per baseline day (only the window's hours are read).
  const ranges = days ? Array.from({ length: days }, (_, i) => [from - (i + 1) * day, from - (i + 1) * day + width]) : [[from, to]];
  const flags = QUALITY_FLAGS.map((f) => `COALESCE(SUM(json_extract(quality_flags, '$.${f}')), 0) AS ${f}`).join(", ");
  return {
    statement: {
      // Judged statuses are counted, not filtered: a filter on them would make SQLite walk the status index over all time.
      sql: `SELECT COALESCE(json_extract(diagnostic_report_json, '$.category'), '') AS category,
              SUM(verification_status IN ('pass', 'fail', 'partial')) AS judged, SUM(verification_status IN ('fail', 'partial')) AS unfulfilled,
              SUM(quality_flags IS NOT NULL) AS flagged, ${flags}
            FROM monitoring_results WHERE ${ranges.map(() => "(analyzed_at >= ? AND analyzed_at < ?)").join(" OR ")} GROUP BY 1`,
      args: ranges.flat(),
    },
    map: (rs) => {
      const out: JudgedOutcomes = { judged: 0, unfulfilled: 0, byCategory: {}, flagged: 0, flags: {} };
      for (const r of rs.rows) {
        out.judged += Number(r.judged ?? 0);
        out.unfulfilled += Number(r.unfulfilled ?? 0);
        out.flagged += Number(r.flagged ?? 0);
        if (r.category) out.byCategory[String(r.category)] = Number(r.unfulfilled ?? 0);
        for (const f of QUALITY_FLAGS) out.flags[f] = (out.flags[f] ?? 0) + Number(r[f] ?? 0);
      }
      return out;
    },
  };
}
