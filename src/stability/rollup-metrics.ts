import type { ResultSet, Row } from "@libsql/client";

/**
 * Every metric counted in webhook_rollups and webhook_rollups_15m. The counting
 * (rollup-counts.ts) must say how it counts each one (`satisfies Record<Metric, …>`), and the
 * stores' reads (store/webhook-rollups*.ts) and their consumers name them only through this
 * type, so a misspelt metric is a compile error instead of a chart that silently stays at zero.
 */
export const METRICS = [
  "accepted",
  "event",
  "delivery",
  "error",
  "processed",
  "response",
  "signature_failure",
  "refused_from",
  "latency_sum",
  "latency_max",
  "latency_bucket",
  "release_delivery",
  "release_error",
  "release_latency",
] as const;
export type Metric = (typeof METRICS)[number];

/** The one metric that keeps a maximum per slot; every other sums. */
export const MAX_METRIC = "latency_max" satisfies Metric;

/** SQL: a slot's value when new counts meet it on upsert: the larger for MAX_METRIC, else the sum. */
export const MERGED_VALUE = `CASE WHEN metric = '${MAX_METRIC}' THEN max(value, excluded.value) ELSE value + excluded.value END`;

/** SQL: the value of many counts of one slot, by the same rule. */
export const combined = (value: string) => `CASE WHEN metric = '${MAX_METRIC}' THEN MAX(${value}) ELSE SUM(${value}) END`;

export const MINUTE_MS = 60_000;
export const QUARTER_MS = 15 * MINUTE_MS;

/** The start of the `width`-wide slot that holds `ms`. */
export const slotOf = (ms: number, width: number) => Math.floor(ms / width) * width;

/** A count per delivery (error rate = errors ÷ deliveries, success rate = processed ÷ deliveries); null without deliveries. */
export const perDelivery = (n: number, deliveries: number): number | null => (deliveries > 0 ? n / deliveries : null);

/** A metric's sum under one key over some slots, and its largest single slot value (the maximum, for `latency_max`). */
export interface RollupRow {
  metric: Metric;
  key: string;
  total: number;
  peak: number;
}

/** A row of a rollup read: metric, key, total and peak. */
export const toRollupRow = (r: Row): RollupRow => ({
  metric: String(r.metric) as Metric,
  key: String(r.key),
  total: Number(r.total),
  peak: Number(r.peak),
});

/** Rollup rows by slot start (column `at`). */
export function rowsBySlot(rs: ResultSet): Map<number, RollupRow[]> {
  const bySlot = new Map<number, RollupRow[]>();
  for (const r of rs.rows) {
    const at = Number(r.at);
    bySlot.set(at, [...(bySlot.get(at) ?? []), toRollupRow(r)]);
  }
  return bySlot;
}

export const sumOf = (rows: readonly RollupRow[], metric: Metric): number =>
  rows.reduce((a, r) => (r.metric === metric ? a + r.total : a), 0);

export const totalsByKey = (rows: readonly RollupRow[], metric: Metric): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const r of rows) if (r.metric === metric) out[r.key] = (out[r.key] ?? 0) + r.total;
  return out;
};
