import type { InStatement } from "@libsql/client";
import { MERGED_VALUE, type Metric, ROLLUP_SLOTS, type RollupTable, slotOf } from "./rollup-metrics.js";
import type { SignatureFailureReason } from "./signatures.js";

/** A per-minute, per-source counter. `latency_max` keeps a maximum; everything else sums. */
type Increment = [metric: Metric, key: string, value: number];

/**
 * One upsert for several increments at one time into one rollup table, keyed by the start of
 * the table's slot (the quarter-hour table never by the minute: readers sum whole slots).
 */
function rollupUpsert(at: number, source: string, increments: Increment[], table: RollupTable): InStatement {
  const rows = increments.map(() => "(?, ?, ?, ?, ?)").join(", ");
  const { column, width } = ROLLUP_SLOTS[table];
  return {
    sql: `INSERT INTO ${table} (${column}, source, metric, key, value)
          SELECT column1, column2, column3, column4, column5 FROM (VALUES ${rows}) WHERE 1
          ON CONFLICT (${column}, source, metric, key) DO UPDATE SET value = ${MERGED_VALUE}`,
    args: increments.flatMap(([metric, key, value]) => [slotOf(at, width), source, metric, key, value]),
  };
}

/** A refused request is counted, never stored: two upserts into rows its minute already has, whatever the rate. */
export function signatureFailureStatements(source: string, reason: SignatureFailureReason, address: string, at: number): InStatement[] {
  const increments: Increment[] = [
    ["signature_failure", reason, 1],
    ["refused_from", address, 1],
  ];
  return [rollupUpsert(at, source, increments, "webhook_rollups"), rollupUpsert(at, source, increments, "webhook_rollups_15m")];
}
