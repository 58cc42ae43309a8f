import { LATENCY_BOUNDS } from "./latency.js";
import { combined, type Metric, slotOf } from "./rollup-metrics.js";
import { COUNTED_UP_TO } from "./store/ingest-mark.js";
import { eventsAbove } from "./store/webhook-events.js";

/**
 * How events become rollup counts, in SQL over the columns of webhook_events: the same for both
 * rollup tables (each store, store/webhook-rollups*.ts, adds them into its table by its slot
 * width) and for the catch-up (rollup-catch-up.ts) and every read (the uncounted tail), so an
 * event is counted the same way wherever it is counted. No table is named here: the events and
 * the mark come from their stores.
 */

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

/** Every metric's increments (at, source, metric, key, v) from the events of CTE `uncounted`, per `width`-ms slot. */
const increments = (width: number) => `inc (at, source, metric, key, v) AS (
  ${Object.entries(COUNTS)
    .map(
      ([metric, c]) =>
        `SELECT (received_at / ${width}) * ${width}, source, '${metric}', ${c.key}, ${c.value} FROM uncounted${"where" in c ? ` WHERE ${c.where}` : ""}`,
    )
    .join("\n  UNION ALL ")}
)`;

const TOTAL = combined("v");

/**
 * The catch-up's counts, for a rollup store's upsert: a WITH clause over the next `chunk` event
 * ids above the mark (the mark read once), then its rows (slot, source, metric, key, value).
 */
export const nextChunkCounts = (width: number, chunk: number) => ({
  with: `WITH lo AS (SELECT ${COUNTED_UP_TO} AS id),
uncounted AS (${eventsAbove("(SELECT id FROM lo)", chunk)}),
${increments(width)}
`,
  rows: `SELECT at, source, metric, key, ${TOTAL} FROM inc WHERE 1
GROUP BY at, source, metric, key`,
});

const tailCounts = (width: number, column: string) => `${increments(width)}
      SELECT at AS ${column}, source, metric, key, ${TOTAL} AS value FROM inc GROUP BY at, source, metric, key)`;

/**
 * The rows the catch-up would add to a rollup table for the events above the mark, counted by
 * the same COUNTS: a subquery with the table's columns (`column` its slot). A reader adds them to
 * the table's rows in the same statement (which reads the mark once), so an event is counted
 * exactly once — in the table at or below the mark, in this tail above it — whatever the
 * catch-up does meanwhile. The tail is what arrived since the last catch-up: the heartbeat's
 * minute, or the writer's ROLLUP_CATCH_UP_EVERY events.
 */
export const uncounted = (width: number, column: string) => `(WITH uncounted AS (${eventsAbove(COUNTED_UP_TO)}),
      ${tailCounts(width, column)}`;

/** The same tail as a SELECT, to follow a table's rows after UNION ALL. */
export const uncountedRows = (width: number, column: string) => `SELECT * FROM (WITH uncounted AS (${eventsAbove(COUNTED_UP_TO)}),
      ${tailCounts(width, column)}`;

/** A per-minute, per-source counter. `latency_max` keeps a maximum; everything else sums. */
export type Increment = [metric: Metric, key: string, value: number];

/**
 * Rows (slot, source, metric, key, value) for several increments at one time, keyed by the start
 * of its `width`-wide slot (the quarter-hour table never by the minute: readers sum whole slots).
 */
export function incrementRows(
  at: number,
  source: string,
  increments: Increment[],
  width: number,
): { sql: string; args: (string | number)[] } {
  const slot = slotOf(at, width);
  return {
    sql: `SELECT column1, column2, column3, column4, column5 FROM (VALUES ${increments.map(() => "(?, ?, ?, ?, ?)").join(", ")}) WHERE 1`,
    args: increments.flatMap(([metric, key, value]) => [slot, source, metric, key, value]),
  };
}
