// The one module with SQL for webhook_rollups: the counts per minute, which expire with the raw
// events (retention.ts). How events are counted is rollup-counts.ts; every read adds the events not
// yet caught up (their uncounted tail), so reads only read and need no write access. A period's
// whole quarter hours come from webhook_rollups_15m (its store's SQL, in the same statement).
import type { InStatement } from "@libsql/client";
import type { Db } from "../../db/client.js";
import { num, readAll, type Query, type Results } from "../../db/query.js";
import { type Increment, incrementRows, nextChunkCounts, uncounted } from "../rollup-counts.js";
import {
  MERGED_VALUE,
  type Metric,
  MINUTE_MS as MIN,
  QUARTER_MS as QUARTER,
  type RollupRow,
  rowsBySlot,
  toRollupRow as toRow,
} from "../rollup-metrics.js";
import { JUDGED_METRICS, type SlotRow } from "../signature-judgement.js";
import { totalsPerQuarterSlot, wholeQuarterTotals } from "./webhook-rollups-15m.js";

/** Adds rows (minute, source, metric, key, value) into the table, each minute's value merged by the max-or-sum rule. */
const addInto = (rows: string, withClause = "") => `${withClause}INSERT INTO webhook_rollups (minute, source, metric, key, value)
${rows}
ON CONFLICT (minute, source, metric, key) DO UPDATE SET value = ${MERGED_VALUE}`;

/** The catch-up's step for this table: the next `chunk` events above the mark, counted in (rollup-catch-up.ts). */
export const minuteCatchUp = (chunk: number): InStatement => {
  const counts = nextChunkCounts(MIN, chunk);
  return addInto(counts.rows, counts.with);
};

/** Increments at one time, into its minute (a refused request's counts). */
export const minuteIncrements = (at: number, source: string, increments: Increment[]): InStatement => {
  const rows = incrementRows(at, source, increments, MIN);
  return { sql: addInto(rows.sql), args: rows.args };
};

/** The oldest per-minute rollup rows before a cutoff, `limit` at a time (WITHOUT ROWID: chosen by primary key). */
export const oldMinuteRollups = (cutoff: number, limit: number): InStatement => ({
  sql: `DELETE FROM webhook_rollups WHERE (minute, source, metric, key) IN
          (SELECT minute, source, metric, key FROM webhook_rollups WHERE minute < ? ORDER BY minute LIMIT ?)`,
  args: [cutoff, limit],
});

const DELIVERY: Metric = "delivery";
const RESPONSE: Metric = "response";

const twice = <T>(args: T[]): T[] => [...args, ...args];

const TAIL_MINUTES = uncounted(MIN, "minute");
// The table with its uncounted tail. A minimum or maximum is taken of each part instead
// (`extreme`), so it stays one index seek in the table.
const MINUTES = `(SELECT minute, source, metric, key, value FROM webhook_rollups UNION ALL SELECT * FROM ${TAIL_MINUTES})`;

/** `fn`(minute) AS `as` over the per-minute table and its tail, each part filtered by `where` (its args given once). */
const extreme = (fn: "MIN" | "MAX", as: string, where: string, groupBy = "") => {
  const part = (from: string) =>
    `SELECT ${groupBy ? `${groupBy}, ` : ""}${fn}(minute) AS ${as} FROM ${from} WHERE ${where}${groupBy ? ` GROUP BY ${groupBy}` : ""}`;
  return `SELECT ${groupBy ? `${groupBy}, ` : ""}${fn}(${as}) AS ${as} FROM (${part("webhook_rollups")} UNION ALL ${part(TAIL_MINUTES)})${groupBy ? ` GROUP BY ${groupBy}` : ""}`;
};

/** Runs the queries, rollup reads or others, in one read batch. */
export async function readRollups<const Q extends readonly Query<unknown>[]>(db: Db, queries: Q): Promise<Results<Q>> {
  return readAll(db, queries);
}

/**
 * Totals per `by` (columns ending in metric, key) over [from, to): whole quarter hours from the
 * 15-minute table, the ragged edges from this one; with `first`, the start of the earliest minute
 * or quarter with a value.
 */
function periodStatement(from: number, to: number, by: string, first: boolean): InStatement {
  const qFrom = Math.ceil(from / QUARTER) * QUARTER;
  const qTo = Math.max(qFrom, Math.floor(to / QUARTER) * QUARTER);
  return {
    sql: `SELECT ${by}, SUM(total) AS total, MAX(peak) AS peak${first ? ", MIN(first) AS first" : ""} FROM (
              SELECT ${by}, SUM(value) AS total, MAX(value) AS peak${first ? ", MIN(minute) AS first" : ""} FROM ${MINUTES}
              WHERE (minute >= ? AND minute < ?) OR (minute >= ? AND minute < ?) GROUP BY ${by}
              UNION ALL
              ${wholeQuarterTotals(by, first)}
            ) GROUP BY ${by}`,
    args: qFrom >= qTo ? [from, to, 0, 0, 0, 0] : [from, qFrom, qTo, to, qFrom, qTo],
  };
}

/** Per metric and key over [from, to), as `periodStatement` reads them. */
export const periodTotals = (from: number, to: number): Query<(RollupRow & { first: number })[]> => ({
  statement: periodStatement(from, to, "metric, key", true),
  map: (rs) => rs.rows.map((r) => ({ ...toRow(r), first: Number(r.first) })),
});

/** The first minute in [from, to) with a value of `metric` (with a numeric key of at least `minKey`, when given). */
export function firstMinute(metric: Metric, from: number, to: number, minKey?: number): Query<number | null> {
  return {
    statement: {
      sql: extreme("MIN", "m", "minute >= ? AND minute < ? AND metric = ? AND (? IS NULL OR CAST(key AS INTEGER) >= ?)"),
      args: twice([from, to, metric, minKey ?? null, minKey ?? null]),
    },
    map: (rs) => num(rs.rows[0]?.m),
  };
}

/** The last minute with a delivery before `at`, if any ever. */
export const lastDeliveryBefore = (at: number): Query<number | null> => ({
  statement: { sql: extreme("MAX", "last", "metric = ? AND minute < ?"), args: twice([DELIVERY, at]) },
  map: (rs) => num(rs.rows[0]?.last),
});

/** The last minute with a delivery, per source that ever delivered. */
export const lastDeliveryBySource = (): Query<{ source: string; last: number }[]> => ({
  statement: { sql: extreme("MAX", "last", "metric = ?", "source"), args: twice([DELIVERY]) },
  map: (rs) => rs.rows.map((r) => ({ source: String(r.source), last: Number(r.last) })),
});

/** One metric per source and key, from the per-minute table since `since`. */
export const totalsBySource = (metric: Metric, since: number): Query<(RollupRow & { source: string })[]> => ({
  statement: {
    sql: `SELECT source, metric, key, SUM(value) AS total, MAX(value) AS peak FROM ${MINUTES} WHERE metric = ? AND minute >= ? GROUP BY source, key`,
    args: [metric, since],
  },
  map: (rs) => rs.rows.map((r) => ({ ...toRow(r), source: String(r.source) })),
});

/**
 * Per `step`-wide slot from `since` (slot starts aligned to the step), per metric and key; only
 * `metric` when given. Steps under a quarter hour need the per-minute table's detail.
 */
export function totalsPerSlot(since: number, step: number, metric?: Metric): Query<Map<number, RollupRow[]>> {
  if (step >= QUARTER) return totalsPerQuarterSlot(since, step, metric);
  return {
    statement: {
      sql: `SELECT (minute / ${step}) * ${step} AS at, metric, key, SUM(value) AS total, MAX(value) AS peak FROM ${MINUTES}
            WHERE minute >= ?${metric ? " AND metric = ?" : ""} GROUP BY 1, 2, 3`,
      args: metric ? [since, metric] : [since],
    },
    map: rowsBySlot,
  };
}

/** The first minute anything was counted. */
export const firstRollupMinute = (): Query<number | null> => ({
  statement: extreme("MIN", "first", "1"),
  map: (rs) => num(rs.rows[0]?.first),
});

/**
 * What a signature judgement reads: verified deliveries, failures by reason and refused
 * addresses, per source and `step`-wide slot counted from `origin` (slot 0), up to `to`.
 */
export const signatureSlots = (origin: number, to: number, step: number): Query<SlotRow[]> => ({
  statement: {
    sql: `SELECT source, metric, key, CAST((minute - ?) / ? AS INTEGER) AS slot, SUM(value) AS total FROM ${MINUTES}
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

/**
 * Minutes of [from, to) with deliveries or replies, ascending: the deliveries' timeline (silences)
 * and what "bot not responding" is judged on. Both metrics are keyed '', so this reads two short
 * ranges of the (metric, minute) index.
 */
export const exchangeMinutes = (from: number, to: number): Query<{ minute: number; received: number; responses: number }[]> => ({
  statement: {
    sql: `SELECT minute, SUM(CASE WHEN metric = ? THEN value ELSE 0 END) AS received, SUM(CASE WHEN metric = ? THEN value ELSE 0 END) AS responses
          FROM ${MINUTES} WHERE metric IN (?, ?) AND minute >= ? AND minute < ? GROUP BY minute ORDER BY minute`,
    args: [DELIVERY, RESPONSE, DELIVERY, RESPONSE, from, to],
  },
  map: (rs) => rs.rows.map((r) => ({ minute: Number(r.minute), received: Number(r.received), responses: Number(r.responses) })),
});

/** Whether any reply was reported in [from, to): a bot that never reports replies cannot be judged silent. */
export const repliedBetween = (from: number, to: number): Query<boolean> => ({
  statement: {
    sql: `SELECT EXISTS (SELECT 1 FROM ${MINUTES} WHERE metric = ? AND minute >= ? AND minute < ?) AS replied`,
    args: [RESPONSE, from, to],
  },
  map: (rs) => Number(rs.rows[0]?.replied) === 1,
});

/**
 * Per source: deliveries in [from, receivedTo), replies since `from`, and whether it replied in
 * [answeredFrom, from) — the alert's view of "bot not responding".
 */
export const exchangesBySource = (
  answeredFrom: number,
  from: number,
  receivedTo: number,
): Query<{ source: string; received: number; responses: number; answeredBefore: boolean }[]> => ({
  statement: {
    sql: `SELECT source, SUM(CASE WHEN metric = ?1 AND minute >= ?3 AND minute < ?4 THEN value ELSE 0 END) AS received,
            SUM(CASE WHEN metric = ?2 AND minute >= ?3 THEN value ELSE 0 END) AS responses,
            MAX(CASE WHEN metric = ?2 AND minute < ?3 THEN 1 ELSE 0 END) AS answered_before
          FROM ${MINUTES} WHERE metric IN (?1, ?2) AND minute >= ?5
          GROUP BY source`,
    args: [DELIVERY, RESPONSE, from, receivedTo, answeredFrom],
  },
  map: (rs) =>
    rs.rows.map((r) => ({
      source: String(r.source),
      received: Number(r.received),
      responses: Number(r.responses),
      answeredBefore: Number(r.answered_before) === 1,
    })),
});

/**
 * Where the current observation period of each source (and of all sources together, source
 * null) began: its newest delivery minute since `from` that followed a silence longer than
 * `gapMs` (or had no delivery before it since `from`), the silence's start, and its last delivery.
 */
export const periodStarts = (
  from: number,
  gapMs: number,
): Query<{ source: string | null; since: number; silentFrom: number | null; last: number }[]> => ({
  statement: {
    // Each part read for (source, minute) alone, so the table's part is a covering index range
    // (through the union with the tail, every row's value was looked up); UNION drops duplicates.
    sql: `WITH d AS (SELECT source, minute FROM webhook_rollups WHERE metric = ?1 AND minute >= ?2
                   UNION SELECT source, minute FROM ${TAIL_MINUTES} WHERE metric = ?1 AND minute >= ?2),
          s AS (SELECT source, minute, LAG(minute) OVER (PARTITION BY source ORDER BY minute) AS prev FROM d
                UNION ALL
                SELECT NULL, minute, LAG(minute) OVER (ORDER BY minute) FROM (SELECT DISTINCT minute FROM d))
          SELECT source, MAX(minute) AS since, prev, (SELECT MAX(minute) FROM d WHERE s.source IS NULL OR d.source = s.source) AS last
          FROM s WHERE prev IS NULL OR minute - prev - ${MIN} > ?3 GROUP BY source`,
    args: [DELIVERY, from, gapMs],
  },
  map: (rs) =>
    rs.rows.map((r) => ({
      source: r.source === null ? null : String(r.source),
      since: Number(r.since),
      silentFrom: r.prev === null ? null : Number(r.prev) + MIN,
      last: Number(r.last),
    })),
});

/** The last minute with a value of `metric` since `from`, per source. */
export const lastMinuteBySource = (metric: Metric, from: number): Query<{ source: string; last: number }[]> => ({
  statement: {
    sql: extreme("MAX", "last", "metric = ? AND minute >= ?", "source"),
    args: twice([metric, from]),
  },
  map: (rs) => rs.rows.map((r) => ({ source: String(r.source), last: Number(r.last) })),
});

/** Per source, metric and key over [from, to), as `periodStatement` reads them. */
export const periodTotalsBySource = (from: number, to: number): Query<(RollupRow & { source: string })[]> => ({
  statement: periodStatement(from, to, "source, metric, key", false),
  map: (rs) => rs.rows.map((r) => ({ ...toRow(r), source: String(r.source) })),
});
