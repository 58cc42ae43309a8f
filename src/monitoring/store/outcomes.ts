// The one module with SQL for verdict_outcomes_15m (kept by triggers on monitoring_results,
// migrations 24 and 25). A range is read as its whole quarter hours from the table and its ragged
// edges (under a quarter hour at each end) from the verdicts, in one statement: the edges are
// store/results.ts's parts (its SQL on its table), embedded here.
import type { Query } from "../../db/query.js";
import { QUALITY_FLAGS } from "../quality-counts.js";
import { inRanges, type Range, windowRanges } from "./ranges.js";
import { costEdges, diagnosedEdges, outcomeEdges } from "./results.js";

const QUARTER = 900_000;
const HOUR = 3_600_000;
// "Since": up to any time a verdict could carry, in whole quarters.
const EVER = Math.floor(Number.MAX_SAFE_INTEGER / QUARTER) * QUARTER;

/** [from, to) as whole quarter hours (for the table) and the edges outside them (for the verdicts). */
function split(ranges: readonly Range[]) {
  const slots: Range[] = [];
  const edges: Range[] = [];
  for (const [from, to] of ranges) {
    const qFrom = Math.ceil(from / QUARTER) * QUARTER;
    const qTo = Math.floor(to / QUARTER) * QUARTER;
    if (qFrom >= qTo) edges.push([from, to]);
    else {
      slots.push([qFrom, qTo]);
      if (from < qFrom) edges.push([from, qFrom]);
      if (qTo < to) edges.push([qTo, to]);
    }
  }
  return { slots: inRanges("slot", slots), edges };
}

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
  const { slots, edges } = split(windowRanges(from, to, days));
  const scanned = outcomeEdges(QUALITY_FLAGS, edges);
  const JUDGED = "status IN ('pass', 'fail', 'partial')";
  const UNFULFILLED = "status IN ('fail', 'partial')";
  const rolled = QUALITY_FLAGS.map((f) => `SUM(CASE WHEN flag = '${f}' THEN n ELSE 0 END) AS ${f}`).join(", ");
  // A verdict moved away leaves its old row at zero (HAVING): a category with no verdict left is not listed.
  return {
    statement: {
      sql: `SELECT category, SUM(judged) AS judged, SUM(unfulfilled) AS unfulfilled, SUM(flagged) AS flagged,
              ${QUALITY_FLAGS.map((f) => `SUM(${f}) AS ${f}`).join(", ")} FROM (
              SELECT category, SUM(CASE WHEN flag = '' AND ${JUDGED} THEN n ELSE 0 END) AS judged,
                SUM(CASE WHEN flag = '' AND ${UNFULFILLED} THEN n ELSE 0 END) AS unfulfilled,
                SUM(CASE WHEN flag = '' THEN flagged ELSE 0 END) AS flagged, ${rolled}
              FROM verdict_outcomes_15m WHERE ${slots.sql} GROUP BY category
              HAVING SUM(CASE WHEN flag = '' THEN n ELSE 0 END) > 0
              UNION ALL ${scanned.sql}
            ) GROUP BY category`,
      args: [...slots.args, ...scanned.args],
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
  const scanned = diagnosedEdges(edges);
  return {
    statement: {
      sql: `SELECT category, SUM(n) AS n FROM (
              SELECT category, SUM(n) AS n FROM verdict_outcomes_15m WHERE diagnosed = 1 AND flag = '' AND (${slots.sql}) GROUP BY 1
              UNION ALL ${scanned.sql}
            ) GROUP BY 1 HAVING SUM(n) > 0 ORDER BY n DESC, category LIMIT 5`,
      args: [...slots.args, ...scanned.args],
    },
    map: (rs) => rs.rows.map((r) => ({ category: String(r.category), count: Number(r.n) })),
  };
}

/** What the bot's conversations of one hour cost, as costByKey (store/results.ts) reads them. */
export interface HourCost {
  key: string;
  conversations: number;
  measured: number;
  fulfilled: number;
  botUsd: number | null;
  judgeUsd: number;
}

/**
 * The verdicts of [from, to) per hour: how many, how many with a measured cost, the fulfilled among
 * those, the bot's and the judge's dollars (ordered by hour). The bot's dollars are summed over
 * measured conversations only, so an hour with none measured reads as not measured, never $0.
 */
export function costPerHour(from: number, to: number): Query<HourCost[]> {
  const { slots, edges } = split([[from, to]]);
  const scanned = costEdges(edges);
  // An hour whose verdicts all moved away keeps rows at zero: not listed, as a scan would not.
  return {
    statement: {
      sql: `SELECT hour, SUM(conversations) AS conversations, SUM(measured) AS measured, SUM(fulfilled) AS fulfilled,
              SUM(bot_usd) AS bot_usd, SUM(judge_usd) AS judge_usd FROM (
              SELECT (slot / ${HOUR}) * ${HOUR} AS hour, SUM(n) AS conversations, SUM(measured) AS measured,
                SUM(CASE WHEN status = 'pass' THEN measured ELSE 0 END) AS fulfilled, SUM(bot_usd) AS bot_usd, SUM(judge_usd) AS judge_usd
              FROM verdict_outcomes_15m WHERE flag = '' AND (${slots.sql}) GROUP BY 1
              UNION ALL ${scanned.sql}
            ) GROUP BY 1 HAVING SUM(conversations) > 0 ORDER BY 1`,
      args: [...slots.args, ...scanned.args],
    },
    map: (rs) =>
      rs.rows.map((r) => ({
        key: String(r.hour),
        conversations: Number(r.conversations),
        measured: Number(r.measured),
        fulfilled: Number(r.fulfilled),
        botUsd: Number(r.measured) > 0 && r.bot_usd !== null ? Number(r.bot_usd) : null,
        judgeUsd: Number(r.judge_usd),
      })),
  };
}
