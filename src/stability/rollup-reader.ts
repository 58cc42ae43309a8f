import type { Row } from "@libsql/client";
import type { Db } from "../db/client.js";
import { mapResults, num, type Query, type Results } from "../db/query.js";
import { readCaughtUp } from "./rollup-catch-up.js";
import type { Metric, RollupRow } from "./rollup-metrics.js";
import { JUDGED_METRICS, type SlotRow } from "./signature-judgement.js";

/**
 * The one reader of webhook_rollups and webhook_rollups_15m. Each read is a Query, so a caller
 * can put reads of other domains beside them in the same batch; `readRollups` runs them behind
 * the rollups' catch-up, in one round trip.
 */

const MIN = 60_000;
const QUARTER = 15 * MIN;
const DELIVERY: Metric = "delivery";

const toRow = (r: Row): RollupRow => ({
  metric: String(r.metric) as Metric,
  key: String(r.key),
  total: Number(r.total),
  peak: Number(r.peak),
});

export const sumOf = (rows: readonly RollupRow[], metric: Metric): number =>
  rows.reduce((a, r) => (r.metric === metric ? a + r.total : a), 0);

export const totalsByKey = (rows: readonly RollupRow[], metric: Metric): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const r of rows) if (r.metric === metric) out[r.key] = (out[r.key] ?? 0) + r.total;
  return out;
};

/** Runs the queries, rollup reads or others, after counting every stored event into the rollups. */
export async function readRollups<const Q extends readonly Query<unknown>[]>(db: Db, queries: Q): Promise<Results<Q>> {
  return mapResults(
    queries,
    await readCaughtUp(
      db,
      queries.map((q) => q.statement),
    ),
  );
}

/**
 * Per metric and key over [from, to): whole quarter hours from the 15-minute table, the ragged
 * edges from the per-minute one. `first` is the start of the earliest minute or quarter with a value.
 */
export function periodTotals(from: number, to: number): Query<(RollupRow & { first: number })[]> {
  const qFrom = Math.ceil(from / QUARTER) * QUARTER;
  const qTo = Math.max(qFrom, Math.floor(to / QUARTER) * QUARTER);
  return {
    statement: {
      sql: `SELECT metric, key, SUM(total) AS total, MAX(peak) AS peak, MIN(first) AS first FROM (
              SELECT metric, key, SUM(value) AS total, MAX(value) AS peak, MIN(minute) AS first FROM webhook_rollups
              WHERE (minute >= ? AND minute < ?) OR (minute >= ? AND minute < ?) GROUP BY metric, key
              UNION ALL
              SELECT metric, key, SUM(value), MAX(value), MIN(slot) FROM webhook_rollups_15m WHERE slot >= ? AND slot < ? GROUP BY metric, key
            ) GROUP BY metric, key`,
      args: qFrom >= qTo ? [from, to, 0, 0, 0, 0] : [from, qFrom, qTo, to, qFrom, qTo],
    },
    map: (rs) => rs.rows.map((r) => ({ ...toRow(r), first: Number(r.first) })),
  };
}

/** The first minute in [from, to) with a value of `metric` (with a numeric key of at least `minKey`, when given). */
export function firstMinute(metric: Metric, from: number, to: number, minKey?: number): Query<number | null> {
  return {
    statement: {
      sql: "SELECT MIN(minute) AS m FROM webhook_rollups WHERE minute >= ? AND minute < ? AND metric = ? AND (? IS NULL OR CAST(key AS INTEGER) >= ?)",
      args: [from, to, metric, minKey ?? null, minKey ?? null],
    },
    map: (rs) => num(rs.rows[0]?.m),
  };
}

/** Minutes of [from, to) with at least one delivery, ascending. */
export const deliveryMinutes = (from: number, to: number): Query<number[]> => ({
  statement: {
    sql: "SELECT DISTINCT minute FROM webhook_rollups WHERE metric = ? AND minute >= ? AND minute < ? ORDER BY minute",
    args: [DELIVERY, from, to],
  },
  map: (rs) => rs.rows.map((r) => Number(r.minute)),
});

/** The last minute with a delivery before `at`, if any ever. */
export const lastDeliveryBefore = (at: number): Query<number | null> => ({
  statement: { sql: "SELECT MAX(minute) AS last FROM webhook_rollups WHERE metric = ? AND minute < ?", args: [DELIVERY, at] },
  map: (rs) => num(rs.rows[0]?.last),
});

/** The last minute with a delivery, per source that ever delivered. */
export const lastDeliveryBySource = (): Query<{ source: string; last: number }[]> => ({
  statement: { sql: "SELECT source, MAX(minute) AS last FROM webhook_rollups WHERE metric = ? GROUP BY source", args: [DELIVERY] },
  map: (rs) => rs.rows.map((r) => ({ source: String(r.source), last: Number(r.last) })),
});

/** One metric per source and key, from the per-minute table since `since`. */
export const totalsBySource = (metric: Metric, since: number): Query<(RollupRow & { source: string })[]> => ({
  statement: {
    sql: "SELECT source, metric, key, SUM(value) AS total, MAX(value) AS peak FROM webhook_rollups WHERE metric = ? AND minute >= ? GROUP BY source, key",
    args: [metric, since],
  },
  map: (rs) => rs.rows.map((r) => ({ ...toRow(r), source: String(r.source) })),
});

/**
 * Per `step`-wide slot from `since` (slot starts aligned to the step), per metric and key; only
 * `metric` when given. Steps under a quarter hour need the per-minute table's detail.
 */
export function totalsPerSlot(since: number, step: number, metric?: Metric): Query<Map<number, RollupRow[]>> {
  const [table, col] = step < QUARTER ? ["webhook_rollups", "minute"] : ["webhook_rollups_15m", "slot"];
  return {
    statement: {
      sql: `SELECT (${col} / ${step}) * ${step} AS at, metric, key, SUM(value) AS total, MAX(value) AS peak FROM ${table}
            WHERE ${col} >= ?${metric ? " AND metric = ?" : ""} GROUP BY 1, 2, 3`,
      args: metric ? [since, metric] : [since],
    },
    map: (rs) => {
      const bySlot = new Map<number, RollupRow[]>();
      for (const r of rs.rows) {
        const at = Number(r.at);
        bySlot.set(at, [...(bySlot.get(at) ?? []), toRow(r)]);
      }
      return bySlot;
    },
  };
}

/** The first minute anything was counted. */
export const firstRollupMinute = (): Query<number | null> => ({
  statement: "SELECT MIN(minute) AS first FROM webhook_rollups",
  map: (rs) => num(rs.rows[0]?.first),
});

/**
 * What a signature judgement reads: verified deliveries, failures by reason and refused
 * addresses, per source and `step`-wide slot counted from `origin` (slot 0), up to `to`.
 */
export const signatureSlots = (origin: number, to: number, step: number): Query<SlotRow[]> => ({
  statement: {
    sql: `SELECT source, metric, key, (minute - ?) / ? AS slot, SUM(value) AS total FROM webhook_rollups
          WHERE metric IN (${JUDGED_METRICS.map(() => "?").join(", ")}) AND minute >= ? AND minute < ? GROUP BY 1, 2, 3, 4`,
    args: [origin, step, ...JUDGED_METRICS, origin, to],
  },
  map: (rs) =>
    rs.rows.map((r) => ({
      source: String(r.source),
      slot: Number(r.slot),
      metric: String(r.metric) as SlotRow["metric"],
      key: String(r.key),
      total: Number(r.total),
    })),
});

/** Per source, metric and key over [from, to), as `periodTotals` reads it (whole quarters, ragged minutes). */
export function periodTotalsBySource(from: number, to: number): Query<(RollupRow & { source: string })[]> {
  const qFrom = Math.ceil(from / QUARTER) * QUARTER;
  const qTo = Math.max(qFrom, Math.floor(to / QUARTER) * QUARTER);
  return {
    statement: {
      sql: `SELECT source, metric, key, SUM(total) AS total, MAX(peak) AS peak FROM (
              SELECT source, metric, key, SUM(value) AS total, MAX(value) AS peak FROM webhook_rollups
              WHERE (minute >= ? AND minute < ?) OR (minute >= ? AND minute < ?) GROUP BY source, metric, key
              UNION ALL
              SELECT source, metric, key, SUM(value), MAX(value) FROM webhook_rollups_15m WHERE slot >= ? AND slot < ? GROUP BY source, metric, key
            ) GROUP BY source, metric, key`,
      args: qFrom >= qTo ? [from, to, 0, 0, 0, 0] : [from, qFrom, qTo, to, qFrom, qTo],
    },
    map: (rs) => rs.rows.map((r) => ({ ...toRow(r), source: String(r.source) })),
  };
}

/**
 * The same hours on each of the `days` days before [from, to), summed per source, metric and key:
 * a baseline. From the quarter-hour table (kept for the long history), so the window is taken to
 * whole quarters.
 */
export function recurringTotalsBySource(from: number, to: number, days: number): Query<(RollupRow & { source: string })[]> {
  const day = 24 * 60 * MIN;
  const start = Math.round(from / QUARTER) * QUARTER;
  const width = Math.min(day, Math.max(QUARTER, Math.round((to - from) / QUARTER) * QUARTER));
  // One primary-key range per day, so only the window's slots are read, not the days between.
  const starts = Array.from({ length: days }, (_, i) => start - (i + 1) * day);
  return {
    statement: {
      sql: `SELECT source, metric, key, SUM(value) AS total, MAX(value) AS peak FROM webhook_rollups_15m
            WHERE ${starts.map(() => "(slot >= ? AND slot < ?)").join(" OR ")} GROUP BY source, metric, key`,
      args: starts.flatMap((d) => [d, d + width]),
    },
    map: (rs) => rs.rows.map((r) => ({ ...toRow(r), source: String(r.source) })),
  };
}
