import type { Query } from "../db/query.js";
import { QUALITY_FLAGS } from "./quality-counts.js";

/**
 * The one reader of verdict_outcomes_15m (kept by triggers on monitoring_results, migration
 * 24). A range is read as its whole quarter hours from the table and its ragged edges (under a
 * quarter hour at each end) from the verdicts themselves, in one statement.
 */

const QUARTER = 900_000;
const DAY = 86_400_000;
// "Since": up to any time a verdict could carry, in whole quarters.
const EVER = Math.floor(Number.MAX_SAFE_INTEGER / QUARTER) * QUARTER;

/** [from, to) as whole quarter hours (for the table) and the edges outside them (for the verdicts). */
function split(ranges: number[][]) {
  const slots: number[][] = [];
  const edges: number[][] = [];
  for (const [from, to] of ranges as [number, number][]) {
    const qFrom = Math.ceil(from / QUARTER) * QUARTER;
    const qTo = Math.floor(to / QUARTER) * QUARTER;
    if (qFrom >= qTo) edges.push([from, to]);
    else {
      slots.push([qFrom, qTo]);
      if (from < qFrom) edges.push([from, qFrom]);
      if (qTo < to) edges.push([qTo, to]);
    }
  }
  return { slots, edges };
}

// OR of ranges of one column. With none, one empty range: the plan stays an index search
// (a constant false condition is planned as a scan of the table).
const nonEmpty = (ranges: number[][]) => (ranges.length === 0 ? [[0, 0]] : ranges);
const within = (column: string, ranges: number[][]) =>
  nonEmpty(ranges)
    .map(() => `(${column} >= ? AND ${column} < ?)`)
    .join(" OR ");

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
  const width = Math.min(DAY, to - from);
  // The window itself, or one range per baseline day (only the window's hours are read).
  const ranges = days ? Array.from({ length: days }, (_, i) => [from - (i + 1) * DAY, from - (i + 1) * DAY + width]) : [[from, to]];
  const { slots, edges } = split(ranges);
  const JUDGED = "status IN ('pass', 'fail', 'partial')";
  const UNFULFILLED = "status IN ('fail', 'partial')";
  const rolled = QUALITY_FLAGS.map((f) => `SUM(CASE WHEN flag = '${f}' THEN n ELSE 0 END) AS ${f}`).join(", ");
  const scanned = QUALITY_FLAGS.map((f) => `COALESCE(SUM(json_extract(quality_flags, '$.${f}')), 0) AS ${f}`).join(", ");
  // A verdict moved away leaves its old row at zero (HAVING): a category with no verdict left is not listed.
  return {
    statement: {
      sql: `SELECT category, SUM(judged) AS judged, SUM(unfulfilled) AS unfulfilled, SUM(flagged) AS flagged,
              ${QUALITY_FLAGS.map((f) => `SUM(${f}) AS ${f}`).join(", ")} FROM (
              SELECT category, SUM(CASE WHEN flag = '' AND ${JUDGED} THEN n ELSE 0 END) AS judged,
                SUM(CASE WHEN flag = '' AND ${UNFULFILLED} THEN n ELSE 0 END) AS unfulfilled,
                SUM(CASE WHEN flag = '' THEN flagged ELSE 0 END) AS flagged, ${rolled}
              FROM verdict_outcomes_15m WHERE ${within("slot", slots)} GROUP BY category
              HAVING SUM(CASE WHEN flag = '' THEN n ELSE 0 END) > 0
              UNION ALL
              SELECT COALESCE(json_extract(diagnostic_report_json, '$.category'), ''),
                SUM(verification_status IN ('pass', 'fail', 'partial')), SUM(verification_status IN ('fail', 'partial')),
                SUM(quality_flags IS NOT NULL), ${scanned}
              FROM monitoring_results WHERE ${within("analyzed_at", edges)} GROUP BY 1
            ) GROUP BY category`,
      args: [...nonEmpty(slots).flat(), ...nonEmpty(edges).flat()],
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

/** The five most frequent categories of completed diagnoses since `since` (ties by name). */
export function topFailureCategories(since: number): Query<{ category: string; count: number }[]> {
  const { slots, edges } = split([[since, EVER]]);
  return {
    statement: {
      sql: `SELECT category, SUM(n) AS n FROM (
              SELECT category, SUM(n) AS n FROM verdict_outcomes_15m WHERE diagnosed = 1 AND flag = '' AND (${within("slot", slots)}) GROUP BY 1
              UNION ALL
              SELECT COALESCE(json_extract(diagnostic_report_json, '$.category'), ''), COUNT(*) FROM monitoring_results
              WHERE diagnostic_status = 'complete' AND (${within("analyzed_at", edges)}) GROUP BY 1
            ) GROUP BY 1 HAVING SUM(n) > 0 ORDER BY n DESC, category LIMIT 5`,
      args: [...nonEmpty(slots).flat(), ...nonEmpty(edges).flat()],
    },
    map: (rs) => rs.rows.map((r) => ({ category: String(r.category), count: Number(r.n) })),
  };
}
