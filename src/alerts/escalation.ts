import type { Db } from "../db/client.js";

const ROUTE = "pagerduty_escalation";
/** Resolutions are looked for among alerts started this recently (the alerts_state_started index). */
const RESOLVE_HORIZON_MS = 30 * 86_400_000;

export interface EscalationSettings {
  /** A firing critical alert not acknowledged this long after it fired goes to the second route. */
  afterMs: number;
}

/**
 * Writes the second route's notifications into the outbox: a `firing` one for each critical alert
 * firing unacknowledged past the delay that was announced on the first (a silenced or inhibited one
 * never was, and stays quiet here too), and a `resolved` one once such an alert resolves. Each is
 * one INSERT … SELECT guarded by NOT EXISTS, so overlapping heartbeats escalate an alert once
 * (SQLite runs one write statement at a time); delivery and its retries are the outbox's.
 */
export async function escalateUnacknowledged(db: Db, now: number, { afterMs }: EscalationSettings) {
  const [firing, resolved] = await db.batch(
    [
      {
        sql: `INSERT INTO notifications (alert_id, rule, kind, channel, group_key, created_at, next_attempt_at)
              SELECT a.id, a.rule, 'firing', ?, 'escalation:' || a.id, ?, ? FROM alerts a
              WHERE a.state = 'firing' AND a.severity = 'critical' AND a.acked_at IS NULL AND a.last_notified_at IS NOT NULL AND a.fired_at <= ?
                AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.alert_id = a.id AND n.channel = ?)`,
        args: [ROUTE, now, now, now - afterMs, ROUTE],
      },
      {
        sql: `INSERT INTO notifications (alert_id, rule, kind, channel, group_key, created_at, next_attempt_at)
              SELECT a.id, a.rule, 'resolved', ?, 'escalation:' || a.id, ?, ? FROM alerts a
              WHERE a.state = 'resolved' AND a.started_at >= ?
                AND EXISTS (SELECT 1 FROM notifications n WHERE n.alert_id = a.id AND n.channel = ? AND n.kind = 'firing')
                AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.alert_id = a.id AND n.channel = ? AND n.kind = 'resolved')`,
        args: [ROUTE, now, now, now - RESOLVE_HORIZON_MS, ROUTE, ROUTE],
      },
    ],
    "write",
  );
  return { escalated: firing!.rowsAffected, escalationsResolved: resolved!.rowsAffected };
}
