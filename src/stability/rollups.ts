import type { InStatement } from "@libsql/client";
import { MAX_METRIC, type Metric } from "./rollup-metrics.js";
import type { SignatureFailureReason } from "./signatures.js";

const MINUTE_MS = 60_000;
const minuteOf = (ms: number) => Math.floor(ms / MINUTE_MS) * MINUTE_MS;

/** A per-minute, per-source counter. `latency_max` keeps a maximum; everything else sums. */
type Increment = [metric: Metric, key: string, value: number];

const QUARTER_MS = 15 * MINUTE_MS;

/**
 * One upsert for several increments of a minute. The quarter-hour table is keyed by the slot's
 * start, never the minute: readers sum whole slots.
 */
function rollupUpsert(minute: number, source: string, increments: Increment[], quarter = false): InStatement {
  const rows = increments.map(() => "(?, ?, ?, ?, ?)").join(", ");
  const [table, column, at] = quarter
    ? ["webhook_rollups_15m", "slot", Math.floor(minute / QUARTER_MS) * QUARTER_MS]
    : ["webhook_rollups", "minute", minute];
  return {
    sql: `INSERT INTO ${table} (${column}, source, metric, key, value)
          SELECT column1, column2, column3, column4, column5 FROM (VALUES ${rows}) WHERE 1
          ON CONFLICT (${column}, source, metric, key) DO UPDATE SET value =
            CASE WHEN metric = '${MAX_METRIC}' THEN max(value, excluded.value) ELSE value + excluded.value END`,
    args: increments.flatMap(([metric, key, value]) => [at, source, metric, key, value]),
  };
}

/** A refused request is counted, never stored: two upserts into rows its minute already has, whatever the rate. */
export function signatureFailureStatements(source: string, reason: SignatureFailureReason, address: string, at: number): InStatement[] {
  const increments: Increment[] = [
    ["signature_failure", reason, 1],
    ["refused_from", address, 1],
  ];
  return [rollupUpsert(minuteOf(at), source, increments), rollupUpsert(minuteOf(at), source, increments, true)];
}
