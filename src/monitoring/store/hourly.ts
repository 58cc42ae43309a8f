// The one module with SQL for monitoring_hourly: the verdicts' counts per hour, intent and status,
// written in the verdict's batch (a dependent of the write that stored or changed the verdict).
import type { Conditional } from "../../db/guarded-batch.js";
import type { Query } from "../../db/query.js";
import { resultsPerSlot } from "./results.js";

const HOUR = 3_600_000;
export const hourOf = (ms: number) => Math.floor(ms / HOUR) * HOUR;

/** Counts a verdict in its hour, a dependent of the write that stored or changed it: counted only if that write happened. */
export const hourlyCount =
  (at: number, intent: string | null | undefined, status: string): Conditional =>
  (when) => ({
    sql: `INSERT INTO monitoring_hourly (hour, intent, status, n) SELECT ?, ?, ?, 1 WHERE ${when}
          ON CONFLICT (hour, intent, status) DO UPDATE SET n = n + 1`,
    args: [hourOf(at), intent ?? "none", status],
  });

/** Takes a verdict out of its hour's count under its old status (before hourlyCount adds it under the new one). */
export const hourlyUncount =
  (at: number, intent: string | null | undefined, status: string): Conditional =>
  (when) => ({
    sql: `UPDATE monitoring_hourly SET n = n - 1 WHERE ${when} AND hour = ? AND intent = ? AND status = ?`,
    args: [hourOf(at), intent ?? "none", status],
  });

/** Verdicts since `since`, by intent and status (from the hourly counts, so `since` is a whole hour). */
export const verdictsByIntentAndStatus = (since: number): Query<{ intent: string; status: string; n: number }[]> => ({
  statement: { sql: "SELECT intent, status, SUM(n) AS n FROM monitoring_hourly WHERE hour >= ? GROUP BY 1, 2", args: [since] },
  map: (rs) => rs.rows.map((r) => ({ intent: String(r.intent), status: String(r.status), n: Number(r.n) })),
});

/** Verdicts since `since` per `step`-wide slot and status: from the hourly counts when the step is whole hours, else from the verdicts. */
export const verdictsPerSlot = (since: number, step: number): Query<{ slot: number; status: string; n: number }[]> =>
  step < HOUR
    ? resultsPerSlot(since, step)
    : {
        statement: {
          sql: `SELECT (hour / ${step}) * ${step} AS slot, status AS s, SUM(n) AS n FROM monitoring_hourly WHERE hour >= ? GROUP BY 1, 2`,
          args: [since],
        },
        map: (rs) => rs.rows.map((r) => ({ slot: Number(r.slot), status: String(r.s), n: Number(r.n) })),
      };
