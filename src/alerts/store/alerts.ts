// The one module with SQL for alerts and for notifications (the outbox). One module for both: the
// escalation writes notifications from the alerts it reads, guarded by NOT EXISTS on notifications
// in the same statement (so overlapping heartbeats escalate once), and a new alert's notifications
// find it by its open fingerprint in the batch that inserts it.
import type { InStatement } from "@libsql/client";
import type { Db } from "../../db/client.js";
import type { Conditional } from "../../db/guarded-batch.js";
import type { Query } from "../../db/query.js";
import type { AlertAction, Decision, OpenAlert } from "../decide.js";
import { type Alert, type AlertState, alertOf, notificationOf, openAlertOf, type SentNotice } from "./alert-rows.js";
import type { Channel } from "../rules.js";

type Action<T extends AlertAction["type"]> = Extract<AlertAction, { type: T }>;

/** Alerts by state and start, newest first. */
export const alertList = (q: { state?: AlertState; since?: number; limit: number }): Query<Alert[]> => ({
  statement: {
    sql: `SELECT * FROM alerts WHERE (? IS NULL OR state = ?) AND (? IS NULL OR started_at >= ?) ORDER BY started_at DESC, id DESC LIMIT ?`,
    args: [q.state ?? null, q.state ?? null, q.since ?? null, q.since ?? null, q.limit],
  },
  map: (rs) => rs.rows.map(alertOf),
});

export const alertById = (id: number): Query<Alert | undefined> => ({
  statement: { sql: "SELECT * FROM alerts WHERE id = ?", args: [id] },
  map: (rs) => (rs.rows[0] ? alertOf(rs.rows[0]) : undefined),
});

/** Stops repeats of a firing alert until it resolves; false if it is not firing (or not there). */
export async function acknowledge(db: Db, id: number, now: number): Promise<boolean> {
  const rs = await db.execute({
    sql: "UPDATE alerts SET acked_at = COALESCE(acked_at, ?), updated_at = ? WHERE id = ? AND state = 'firing'",
    args: [now, now, id],
  });
  return rs.rowsAffected > 0;
}

/** Alerts firing now, newest first. */
export const firingAlerts = (limit: number): Query<{ id: number; rule: string; severity: string; summary: string; since: number }[]> => ({
  statement: {
    sql: "SELECT id, rule, severity, summary, fired_at FROM alerts WHERE state = 'firing' ORDER BY fired_at DESC LIMIT ?",
    args: [limit],
  },
  map: (rs) =>
    rs.rows.map((r) => ({
      id: Number(r.id),
      rule: String(r.rule),
      severity: String(r.severity),
      summary: String(r.summary),
      since: Number(r.fired_at),
    })),
});

/** Alerts firing now, counted by rule and severity. */
export const firingCounts = (): Query<{ rule: string; severity: string; n: number }[]> => ({
  statement: "SELECT rule, severity, COUNT(*) AS n FROM alerts WHERE state = 'firing' GROUP BY 1, 2",
  map: (rs) => rs.rows.map((r) => ({ rule: String(r.rule), severity: String(r.severity), n: Number(r.n) })),
});

/** The labels of a rule's alerts firing now. */
export async function firingLabels(db: Db, rule: string): Promise<Record<string, string>[]> {
  const rs = await db.execute({ sql: "SELECT labels FROM alerts WHERE rule = ? AND state = 'firing'", args: [rule] });
  return rs.rows.map((r) => JSON.parse(String(r.labels)) as Record<string, string>);
}

/**
 * Every rule's alerts that have not resolved, by rule then fingerprint: what `decide` starts
 * from. One read for all rules (a heartbeat at Turso's distance pays per round trip).
 */
export async function listOpenAlertsByRule(db: Db): Promise<Map<string, Map<string, OpenAlert>>> {
  const rs = await db.execute("SELECT * FROM alerts WHERE state != 'resolved'");
  const byRule = new Map<string, Map<string, OpenAlert>>();
  for (const r of rs.rows) {
    const rule = String(r.rule);
    if (!byRule.has(rule)) byRule.set(rule, new Map());
    byRule.get(rule)!.set(String(r.fingerprint), openAlertOf(r));
  }
  return byRule;
}

// The writes of one decision (apply.ts guards and batches them). Each state change is guarded by
// the state `decide` saw, so a decision that lost a race with an overlapping one changes nothing.

/** A new alert; changes nothing if the fingerprint is already open (alerts_open_fingerprint). */
export function insertAlert(d: Decision, a: Action<"open">): InStatement {
  const firing = a.state === "firing";
  return {
    sql: `INSERT INTO alerts (rule, fingerprint, labels, severity, state, summary, started_at, fired_at, last_notified_at, updated_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    args: [
      d.rule,
      a.fingerprint,
      JSON.stringify(a.labels),
      d.severity,
      a.state,
      a.summary,
      d.now,
      firing ? d.now : null,
      firing && a.notify.length ? d.now : null,
      d.now,
    ],
  };
}

export function moveAlert(a: Action<"transition">, now: number): InStatement {
  return {
    sql: `UPDATE alerts SET state = ?, fired_at = CASE WHEN ? = 'firing' THEN ? ELSE fired_at END,
            resolved_at = CASE WHEN ? = 'resolved' THEN ? ELSE NULL END, cleared_at = NULL,
            last_notified_at = CASE WHEN ? THEN ? ELSE last_notified_at END, updated_at = ?
          WHERE id = ? AND state = ?`,
    args: [a.to, a.to, now, a.to, now, a.notify.length > 0 ? 1 : 0, now, now, a.alertId, a.from],
  };
}

export const holdAlert = (a: Action<"hold">, now: number): InStatement => ({
  sql: "UPDATE alerts SET consecutive = ?, summary = ?, updated_at = ? WHERE id = ? AND state = 'pending'",
  args: [a.consecutive, a.summary, now, a.alertId],
});

/** A repeat notification's alert write: only if no one has notified since `decide` read it. */
export const renotifyAlert = (a: Action<"repeat">, now: number): InStatement => ({
  sql: "UPDATE alerts SET last_notified_at = ?, cleared_at = NULL, summary = ?, updated_at = ? WHERE id = ? AND state = 'firing' AND COALESCE(last_notified_at, 0) = ?",
  args: [now, a.summary, now, a.alertId, a.lastNotifiedAt ?? 0],
});

export const refreshAlert = (a: Action<"refresh">, now: number): InStatement => ({
  sql: "UPDATE alerts SET cleared_at = NULL, summary = ?, updated_at = ? WHERE id = ?",
  args: [a.summary, now, a.alertId],
});

export const clearAlert = (a: Action<"clear">, now: number): InStatement => ({
  sql: "UPDATE alerts SET cleared_at = ?, updated_at = ? WHERE id = ? AND cleared_at IS NULL",
  args: [now, now, a.alertId],
});

/** Notifications of one evaluation of one rule: one per channel, grouped into one message per channel and kind. */
interface Notice {
  kind: string;
  channels: Channel[];
}

/** The notifications of an alert, one per channel (none when muted). */
export const notifyAlert =
  (d: Decision, alertId: number, { kind, channels }: Notice): Conditional =>
  (when) => ({
    sql: `INSERT INTO notifications (alert_id, rule, kind, channel, group_key, created_at, next_attempt_at)
          SELECT ?, ?, ?, c.value, ?, ?, ? FROM json_each(?) c WHERE ${when}`,
    args: [alertId, d.rule, kind, d.groupKey, d.now, d.now, JSON.stringify(channels)],
  });

/**
 * The notifications of the alert the batch just opened, which has no id yet to pass: it is the
 * one open alert with its fingerprint (alerts_open_fingerprint is unique among open alerts).
 */
export const notifyOpenedAlert =
  (d: Decision, fingerprint: string, { kind, channels }: Notice): Conditional =>
  (when) => ({
    sql: `INSERT INTO notifications (alert_id, rule, kind, channel, group_key, created_at, next_attempt_at)
          SELECT a.id, ?, ?, c.value, ?, ?, ? FROM alerts a, json_each(?) c
          WHERE a.fingerprint = ? AND a.state != 'resolved' AND ${when}`,
    args: [d.rule, kind, d.groupKey, d.now, d.now, JSON.stringify(channels), fingerprint],
  });

/** An alert's notifications, oldest first. */
export const notificationsOf = (alertId: number): Query<SentNotice[]> => ({
  statement: { sql: "SELECT * FROM notifications WHERE alert_id = ? ORDER BY created_at, id", args: [alertId] },
  map: (rs) => rs.rows.map(notificationOf),
});

// The outbox (outbox.ts): a group of due notifications is claimed with a guarded update before it
// is sent, and only its claim's holder records how the send went.

/** Groups with a notification due and unclaimed: each (evaluation, rule, kind, channel) one message. */
export async function dueGroups(db: Db, now: number): Promise<{ groupKey: string; channel: Channel; kind: string }[]> {
  const rs = await db.execute({
    sql: `SELECT DISTINCT group_key, channel, kind FROM notifications
          WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ? AND claim_until < ? ORDER BY created_at LIMIT 100`,
    args: [now, now],
  });
  return rs.rows.map((g) => ({ groupKey: String(g.group_key), channel: String(g.channel) as Channel, kind: String(g.kind) }));
}

/** Claims a group's notifications still due for `holder` until `until`: none if another holder was first. */
export async function claimGroup(
  db: Db,
  g: { groupKey: string; channel: Channel; kind: string },
  claim: { holder: string; until: number; now: number },
) {
  const rs = await db.execute({
    sql: `UPDATE notifications SET claim_holder = ?, claim_until = ?
          WHERE group_key = ? AND channel = ? AND kind = ? AND sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ? AND claim_until < ?
          RETURNING id, alert_id, rule, kind, attempts, created_at`,
    args: [claim.holder, claim.until, g.groupKey, g.channel, g.kind, claim.now, claim.now],
  });
  return rs.rows.map((r) => ({
    id: Number(r.id),
    alertId: Number(r.alert_id),
    rule: String(r.rule),
    kind: r.kind,
    attempts: Number(r.attempts),
    createdAt: Number(r.created_at),
  }));
}

const inList = (ids: number[]) => ids.map(() => "?").join(",");

export async function markSent(db: Db, ids: number[], holder: string, now: number): Promise<void> {
  await db.execute({
    sql: `UPDATE notifications SET sent_at = ?, attempts = attempts + 1, last_error = NULL WHERE id IN (${inList(ids)}) AND claim_holder = ?`,
    args: [now, ...ids, holder],
  });
}

/** A failed send: released for a retry at `nextAttemptAt`, or given up at `failedAt`. */
export async function markFailed(
  db: Db,
  ids: number[],
  holder: string,
  f: { reason: string; nextAttemptAt: number; failedAt: number | null },
): Promise<void> {
  await db.execute({
    sql: `UPDATE notifications SET attempts = attempts + 1, last_error = ?, claim_holder = NULL, claim_until = 0,
            next_attempt_at = ?, failed_at = ? WHERE id IN (${inList(ids)}) AND claim_holder = ?`,
    args: [f.reason, f.nextAttemptAt, f.failedAt, ...ids, holder],
  });
}

/** The alerts a message is about, by id. */
export async function alertsByIds(db: Db, ids: number[]): Promise<Alert[]> {
  const rs = await db.execute({ sql: `SELECT * FROM alerts WHERE id IN (${inList(ids)}) ORDER BY id`, args: ids });
  return rs.rows.map(alertOf);
}

/**
 * The escalation route's notifications (escalation.ts): `firing` for each critical alert firing
 * unacknowledged since `firedBy` that was announced on the first route, `resolved` once such an
 * alert (started since `startedSince`) resolves. Each INSERT … SELECT is guarded by NOT EXISTS in
 * the statement itself: SQLite runs one write statement at a time, so no alert escalates twice.
 */
export function escalations(p: { route: string; now: number; firedBy: number; startedSince: number }): InStatement[] {
  return [
    {
      sql: `INSERT INTO notifications (alert_id, rule, kind, channel, group_key, created_at, next_attempt_at)
            SELECT a.id, a.rule, 'firing', ?, 'escalation:' || a.id, ?, ? FROM alerts a
            WHERE a.state = 'firing' AND a.severity = 'critical' AND a.acked_at IS NULL AND a.last_notified_at IS NOT NULL AND a.fired_at <= ?
              AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.alert_id = a.id AND n.channel = ?)`,
      args: [p.route, p.now, p.now, p.firedBy, p.route],
    },
    {
      sql: `INSERT INTO notifications (alert_id, rule, kind, channel, group_key, created_at, next_attempt_at)
            SELECT a.id, a.rule, 'resolved', ?, 'escalation:' || a.id, ?, ? FROM alerts a
            WHERE a.state = 'resolved' AND a.started_at >= ?
              AND EXISTS (SELECT 1 FROM notifications n WHERE n.alert_id = a.id AND n.channel = ? AND n.kind = 'firing')
              AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.alert_id = a.id AND n.channel = ? AND n.kind = 'resolved')`,
      args: [p.route, p.now, p.now, p.startedSince, p.route, p.route],
    },
  ];
}
