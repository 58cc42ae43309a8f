// The one module with SQL for alert_transitions: an alert's history of states, one row per change,
// written in the batch that changes the alert (apply.ts) and only if that change happened.
import type { Conditional } from "../../db/guarded-batch.js";
import type { Query } from "../../db/query.js";
import type { AlertAction } from "../decide.js";

type Open = Extract<AlertAction, { type: "open" }>;
type Move = Extract<AlertAction, { type: "transition" }>;

/** The first transition of the alert inserted by the statement just before (its id is last_insert_rowid()). */
export const openingTransition =
  (a: Pick<Open, "state" | "reason">, now: number): Conditional =>
  (when) => ({
    sql: `INSERT INTO alert_transitions (alert_id, from_state, to_state, reason, at)
          SELECT last_insert_rowid(), NULL, ?, ?, ? WHERE ${when}`,
    args: [a.state, a.reason, now],
  });

export const transitionOf =
  (a: Pick<Move, "alertId" | "from" | "to" | "reason">, now: number): Conditional =>
  (when) => ({
    sql: `INSERT INTO alert_transitions (alert_id, from_state, to_state, reason, at) SELECT ?, ?, ?, ?, ? WHERE ${when}`,
    args: [a.alertId, a.from, a.to, a.reason, now],
  });

/** An alert's transitions, oldest first. */
export const transitionsOf = (alertId: number): Query<{ from: unknown; to: string; reason: string; at: number }[]> => ({
  statement: { sql: "SELECT * FROM alert_transitions WHERE alert_id = ? ORDER BY at, id", args: [alertId] },
  map: (rs) =>
    rs.rows.map((t) => ({
      from: t.from_state,
      to: String(t.to_state),
      reason: String(t.reason),
      at: Number(t.at),
    })),
});
