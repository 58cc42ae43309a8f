import type { InStatement } from "@libsql/client";
import type { Db } from "../db/client.js";
import { guarded, whenChanged, type Conditional } from "../db/guarded-batch.js";
import type { AlertAction, Decision } from "./decide.js";
import type { Channel } from "./rules.js";

/** Notifications for the transition just inserted, one per channel (none when muted). */
const notifyAfterTransition =
  (d: Decision, kind: "firing" | "resolved", channels: Channel[]): Conditional =>
  (when) => ({
    sql: `INSERT INTO notifications (alert_id, rule, kind, channel, group_key, created_at, next_attempt_at)
          SELECT t.alert_id, ?, ?, c.value, ?, ?, ? FROM alert_transitions t, json_each(?) c
          WHERE t.id = last_insert_rowid() AND ${when}`,
    args: [d.rule, kind, d.groupKey, d.now, d.now, JSON.stringify(channels)],
  });

/**
 * The statements of one action. Each starts with a write guarded by the state `decide` saw; what
 * follows it (transition row, then its notifications, which find it by last_insert_rowid()) is
 * written only if that write changed a row.
 */
function statementsOf(d: Decision, a: AlertAction): InStatement[] {
  const now = d.now;
  switch (a.type) {
    case "open": {
      const firing = a.state === "firing";
      return guarded(
        {
          sql: `INSERT INTO alerts (rule, fingerprint, labels, severity, state, summary, started_at, fired_at, last_notified_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
          args: [
            d.rule,
            a.fingerprint,
            JSON.stringify(a.labels),
            d.severity,
            a.state,
            a.summary,
            now,
            firing ? now : null,
            firing && a.notify.length ? now : null,
            now,
          ],
        },
        whenChanged(
          (when) => ({
            sql: `INSERT INTO alert_transitions (alert_id, from_state, to_state, reason, at)
                  SELECT last_insert_rowid(), NULL, ?, ?, ? WHERE ${when}`,
            args: [a.state, a.reason, now],
          }),
          notifyAfterTransition(d, "firing", a.notify),
        ),
      );
    }
    case "transition": {
      const notify = a.notify.length > 0;
      return guarded(
        {
          sql: `UPDATE alerts SET state = ?, fired_at = CASE WHEN ? = 'firing' THEN ? ELSE fired_at END,
                  resolved_at = CASE WHEN ? = 'resolved' THEN ? ELSE NULL END, cleared_at = NULL,
                  last_notified_at = CASE WHEN ? THEN ? ELSE last_notified_at END, updated_at = ?
                WHERE id = ? AND state = ?`,
          args: [a.to, a.to, now, a.to, now, notify ? 1 : 0, now, now, a.alertId, a.from],
        },
        whenChanged(
          (when) => ({
            sql: `INSERT INTO alert_transitions (alert_id, from_state, to_state, reason, at) SELECT ?, ?, ?, ?, ? WHERE ${when}`,
            args: [a.alertId, a.from, a.to, a.reason, now],
          }),
          notifyAfterTransition(d, a.to, a.notify),
        ),
      );
    }
    case "hold":
      return [
        {
          sql: "UPDATE alerts SET consecutive = ?, summary = ?, updated_at = ? WHERE id = ? AND state = 'pending'",
          args: [a.consecutive, a.summary, now, a.alertId],
        },
      ];
    case "repeat":
      return guarded(
        {
          sql: "UPDATE alerts SET last_notified_at = ?, cleared_at = NULL, summary = ?, updated_at = ? WHERE id = ? AND state = 'firing' AND COALESCE(last_notified_at, 0) = ?",
          args: [now, a.summary, now, a.alertId, a.lastNotifiedAt ?? 0],
        },
        (when) => ({
          sql: `INSERT INTO notifications (alert_id, rule, kind, channel, group_key, created_at, next_attempt_at)
                SELECT ?, ?, ?, c.value, ?, ?, ? FROM json_each(?) c WHERE ${when}`,
          args: [a.alertId, d.rule, a.kind, d.groupKey, now, now, JSON.stringify(a.notify)],
        }),
      );
    case "refresh":
      return [{ sql: "UPDATE alerts SET cleared_at = NULL, summary = ?, updated_at = ? WHERE id = ?", args: [a.summary, now, a.alertId] }];
    case "clear":
      return [{ sql: "UPDATE alerts SET cleared_at = ?, updated_at = ? WHERE id = ? AND cleared_at IS NULL", args: [now, now, a.alertId] }];
  }
}

/**
 * Writes one decision in one batch: one round trip, and all of it or none. Each action is guarded
 * on its own (see statementsOf), so an action that lost a race with an overlapping evaluation is
 * skipped without stopping the others.
 */
export async function applyDecision(db: Db, d: Decision): Promise<void> {
  if (d.actions.length === 0) return;
  await db.batch(
    d.actions.flatMap((a) => statementsOf(d, a)),
    "write",
  );
}
