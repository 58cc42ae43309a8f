import type { InStatement } from "@libsql/client";
import type { Db } from "../db/client.js";
import { LATENCY_BOUNDS } from "./latency.js";
import { combined, MERGED_VALUE, type Metric, ROLLUP_SLOTS, type RollupTable, slotOf } from "./rollup-metrics.js";
import type { SignatureFailureReason } from "./signatures.js";

/**
 * The one writer of webhook_rollups, webhook_rollups_15m and ingest_mark (rollup-reader.ts reads
 * them). Rollups are kept off the webhook's request path: a webhook commits only its row in
 * webhook_events, and the counts are caught up from `ingest_mark` (the highest event id already
 * counted) by the heartbeat and by the event writer every so many events, so an event costs
 * Turso about one row written instead of one plus ~10 upserts. Readers never write: each read of
 * the rollups adds the events above the mark, counted the same way (`uncounted`), so no
 * reader sees stale counts and a GET works with a read-only token or a read replica.
 */

// Events counted per transaction, so a long backlog never holds the write lock for long.
const CHUNK = 20_000;
// Row 0 was the old write path's per-batch mark: a function still running the old code during a
// deploy keeps rewriting it, so the catch-up keeps its own row.
const MARK = 1;

const LO = `COALESCE((SELECT last_id FROM ingest_mark WHERE k = ${MARK}), 0)`;
const bucketCase = `CASE ${LATENCY_BOUNDS.map((b, i) => `WHEN latency_ms <= ${b} THEN '${i}'`).join(" ")} ELSE '${LATENCY_BOUNDS.length}' END`;

const RESPONSE_WITH_LATENCY = "type = 'response.sent' AND latency_ms IS NOT NULL";

/** How each metric is counted from new events: its key, its increment, and which events count (all when no `where`). */
const COUNTS = {
  accepted: { key: "''", value: "1" },
  event: { key: "type", value: "1" },
  delivery: { key: "''", value: "1", where: "type IN ('message.received', 'delivery', 'invalid_payload')" },
  error: { key: "COALESCE(error_type, 'unknown')", value: "1", where: "type IN ('error', 'invalid_payload')" },
  processed: { key: "''", value: "1", where: "type = 'message.processed'" },
  response: { key: "''", value: "1", where: "type = 'response.sent'" },
  signature_failure: { key: "'reported_by_bot'", value: "1", where: "type = 'signature.failed'" },
  // Counted when a request is refused (signatureFailureStatements): a refused request stores no event.
  refused_from: { key: "''", value: "0", where: "0" },
  latency_sum: { key: "''", value: "latency_ms", where: RESPONSE_WITH_LATENCY },
  latency_max: { key: "''", value: "latency_ms", where: RESPONSE_WITH_LATENCY },
  latency_bucket: { key: bucketCase, value: "1", where: RESPONSE_WITH_LATENCY },
  // By the release the bot named (release-traffic.ts): the key is the release, and for latency
  // the release, a unit separator and the bucket.
  release_delivery: { key: "release", value: "1", where: "release IS NOT NULL AND type = 'message.received'" },
  release_error: { key: "release", value: "1", where: "release IS NOT NULL AND type = 'error'" },
  release_latency: {
    key: `release || char(31) || ${bucketCase}`,
    value: "1",
    where: `release IS NOT NULL AND ${RESPONSE_WITH_LATENCY}`,
  },
} satisfies Record<Metric, { key: string; value: string; where?: string }>;

/** Every metric's increments (at, source, metric, key, v) from the events of CTE `events`, per `width`-ms slot. */
const increments = (events: string, width: number) => `inc (at, source, metric, key, v) AS (
  ${Object.entries(COUNTS)
    .map(
      ([metric, c]) =>
        `SELECT (received_at / ${width}) * ${width}, source, '${metric}', ${c.key}, ${c.value} FROM ${events}${"where" in c ? ` WHERE ${c.where}` : ""}`,
    )
    .join("\n  UNION ALL ")}
)`;

const TOTAL = combined("v");

/** The counts of the events above the mark (at most CHUNK ids), computed in SQL, into one rollup table. */
function rollupSql(table: RollupTable): string {
  const { column: slotColumn, width } = ROLLUP_SLOTS[table];
  return `
WITH lo AS (SELECT ${LO} AS id),
new AS (SELECT * FROM webhook_events WHERE id > (SELECT id FROM lo) AND id <= (SELECT id FROM lo) + ${CHUNK}),
${increments("new", width)}
INSERT INTO ${table} (${slotColumn}, source, metric, key, value)
SELECT at, source, metric, key, ${TOTAL} FROM inc WHERE 1
GROUP BY at, source, metric, key
ON CONFLICT (${slotColumn}, source, metric, key) DO UPDATE SET value = ${MERGED_VALUE}`;
}

/**
 * The rows the catch-up would add to a rollup table for the events above the mark, counted by
 * the same COUNTS: a subquery with the table's columns. A reader adds them to the table's rows
 * in the same statement (which reads the mark once), so an event is counted exactly once —
 * in the table at or below the mark, in this tail above it — whatever the catch-up does
 * meanwhile. The tail is what arrived since the last catch-up: the heartbeat's minute, or the
 * writer's ROLLUP_CATCH_UP_EVERY events.
 */
export function uncounted(table: RollupTable): string {
  const { column: slotColumn, width } = ROLLUP_SLOTS[table];
  return `(WITH uncounted AS (SELECT * FROM webhook_events WHERE id > ${LO}),
      ${increments("uncounted", width)}
      SELECT at AS ${slotColumn}, source, metric, key, ${TOTAL} AS value FROM inc GROUP BY at, source, metric, key)`;
}

/**
 * One catch-up step, for a write batch: both rollup tables count the same ids above the old
 * mark, then the mark moves past them, guarded by that old value. A write batch runs under
 * BEGIN IMMEDIATE (the write lock is held from its first statement), so the mark read by the
 * counting statements is still the mark when it is advanced: two concurrent catch-ups serialise
 * and the second finds nothing left to count. The last statement tells whether more remain.
 */
export const CATCH_UP_STATEMENTS: InStatement[] = [
  rollupSql("webhook_rollups"),
  rollupSql("webhook_rollups_15m"),
  `INSERT INTO ingest_mark (k, last_id)
   SELECT ${MARK}, max(lo.id, min(lo.id + ${CHUNK}, COALESCE((SELECT MAX(id) FROM webhook_events), 0))) FROM (SELECT ${LO} AS id) lo WHERE 1
   ON CONFLICT (k) DO UPDATE SET last_id = excluded.last_id WHERE last_id = (SELECT ${LO}) AND excluded.last_id > last_id`,
  `SELECT ${LO} AS mark, COALESCE((SELECT MAX(id) FROM webhook_events), 0) AS max_id`,
];

/** Counts every event stored so far into the rollups; returns how many rollup rows it wrote. */
export async function catchUpRollups(db: Db): Promise<number> {
  let written = 0;
  for (;;) {
    const results = await db.batch(CATCH_UP_STATEMENTS, "write");
    written += results[0]!.rowsAffected + results[1]!.rowsAffected;
    const row = results[3]!.rows[0]!;
    if (Number(row.mark) >= Number(row.max_id)) return written;
  }
}

/**
 * After raw events are deleted: if the newest counted event went, SQLite would hand its id (and
 * others at or below the mark) to new events, which the mark would then skip. Every remaining
 * event at or below the mark is counted, so lowering the mark to the highest remaining id is
 * exact. Run in the same batch as the delete.
 */
export const CLAMP_MARK: InStatement = `UPDATE ingest_mark SET last_id = COALESCE((SELECT MAX(id) FROM webhook_events), 0)
  WHERE k = ${MARK} AND last_id > COALESCE((SELECT MAX(id) FROM webhook_events), 0)`;

/** The oldest per-minute rollup rows before a cutoff, `limit` at a time (WITHOUT ROWID: chosen by primary key). */
export const oldMinuteRollups = (cutoff: number, limit: number): InStatement => ({
  sql: `DELETE FROM webhook_rollups WHERE (minute, source, metric, key) IN
          (SELECT minute, source, metric, key FROM webhook_rollups WHERE minute < ? ORDER BY minute LIMIT ?)`,
  args: [cutoff, limit],
});

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
