/**
 * Every metric counted in webhook_rollups and webhook_rollups_15m. The catch-up
 * (rollup-catch-up.ts) must say how it counts each one (`satisfies Record<Metric, …>`), and the
 * reader (rollup-reader.ts) and its consumers name them only through this type, so a misspelt
 * metric is a compile error instead of a chart that silently stays at zero.
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

/** A metric's sum under one key over some slots, and its largest single slot value (the maximum, for `latency_max`). */
export interface RollupRow {
  metric: Metric;
  key: string;
  total: number;
  peak: number;
}
