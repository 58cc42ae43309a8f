// The one module with SQL for webhook_rollups_15m: the counts per quarter hour, kept for the long
// history (the per-minute table expires with the raw events). How events are counted is
// rollup-counts.ts; every read adds the events not yet caught up (its uncounted tail).
import type { InStatement } from "@libsql/client";
import type { Query } from "../../db/query.js";
import { type Increment, incrementRows, nextChunkCounts, uncountedRows } from "../rollup-counts.js";
import { MERGED_VALUE, type Metric, MINUTE_MS, QUARTER_MS, type RollupRow, rowsBySlot, toRollupRow } from "../rollup-metrics.js";

/** Adds rows (slot, source, metric, key, value) into the table, each slot's value merged by the max-or-sum rule. */
const addInto = (rows: string, withClause = "") => `${withClause}INSERT INTO webhook_rollups_15m (slot, source, metric, key, value)
${rows}
ON CONFLICT (slot, source, metric, key) DO UPDATE SET value = ${MERGED_VALUE}`;

/** The catch-up's step for this table: the next `chunk` events above the mark, counted in (rollup-catch-up.ts). */
export const quarterCatchUp = (chunk: number): InStatement => {
  const counts = nextChunkCounts(QUARTER_MS, chunk);
  return addInto(counts.rows, counts.with);
};

/** Increments at one time, into its quarter hour (a refused request's counts). */
export const quarterIncrements = (at: number, source: string, increments: Increment[]): InStatement => {
  const rows = incrementRows(at, source, increments, QUARTER_MS);
  return { sql: addInto(rows.sql), args: rows.args };
};

/** `select` over the table with its uncounted tail, then `rest` (its WHERE, GROUP BY). */
const fromQuarters = (select: string, rest: string) =>
  `${select} FROM (SELECT slot, source, metric, key, value FROM webhook_rollups_15m UNION ALL ${uncountedRows(QUARTER_MS, "slot")}) ${rest}`;

/**
 * SQL, for a period's totals: sum and peak per `by` (its columns, with metric and key), and with
 * `first` the earliest slot, of the whole quarter hours [?, ?).
 */
export const wholeQuarterTotals = (by: string, first = false) =>
  fromQuarters(`SELECT ${by}, SUM(value), MAX(value)${first ? ", MIN(slot)" : ""}`, `WHERE slot >= ? AND slot < ? GROUP BY ${by}`);

/** As totalsPerSlot (store/webhook-rollups.ts) reads it, for steps of whole quarter hours. */
export function totalsPerQuarterSlot(since: number, step: number, metric?: Metric): Query<Map<number, RollupRow[]>> {
  return {
    statement: {
      sql: fromQuarters(
        `SELECT (slot / ${step}) * ${step} AS at, metric, key, SUM(value) AS total, MAX(value) AS peak`,
        `WHERE slot >= ?${metric ? " AND metric = ?" : ""} GROUP BY 1, 2, 3`,
      ),
      args: metric ? [since, metric] : [since],
    },
    map: rowsBySlot,
  };
}

/**
 * The same hours on each of the `days` days before [from, to), summed per source, metric and key:
 * a baseline. From the quarter-hour table (kept for the long history), so the window is taken to
 * whole quarters.
 */
export function recurringTotalsBySource(from: number, to: number, days: number): Query<(RollupRow & { source: string })[]> {
  const day = 24 * 60 * MINUTE_MS;
  const start = Math.round(from / QUARTER_MS) * QUARTER_MS;
  const width = Math.min(day, Math.max(QUARTER_MS, Math.round((to - from) / QUARTER_MS) * QUARTER_MS));
  // One primary-key range per day, so only the window's slots are read, not the days between.
  const starts = Array.from({ length: days }, (_, i) => start - (i + 1) * day);
  return {
    statement: {
      sql: `SELECT source, metric, key, SUM(value) AS total, MAX(value) AS peak FROM webhook_rollups_15m
            WHERE ${starts.map(() => "(slot >= ? AND slot < ?)").join(" OR ")} GROUP BY source, metric, key`,
      args: starts.flatMap((d) => [d, d + width]),
    },
    map: (rs) => rs.rows.map((r) => ({ ...toRollupRow(r), source: String(r.source) })),
  };
}
