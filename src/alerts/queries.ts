import type { Row } from "@libsql/client";
import type { Db } from "../db/client.js";
import type { Query } from "../db/query.js";
import { ConflictError, NotFoundError } from "../errors.js";

type AlertState = "pending" | "firing" | "resolved";

const alertOf = (r: Row) => ({
  id: Number(r.id),
  rule: String(r.rule),
  labels: JSON.parse(String(r.labels)) as Record<string, string>,
  severity: String(r.severity),
  state: String(r.state) as AlertState,
  summary: String(r.summary),
  startedAt: Number(r.started_at),
  firedAt: r.fired_at as number | null,
  resolvedAt: r.resolved_at as number | null,
  lastNotifiedAt: r.last_notified_at as number | null,
  ackedAt: r.acked_at as number | null,
});
export type Alert = ReturnType<typeof alertOf>;
export type AlertDetail = Awaited<ReturnType<typeof alertDetail>>;

export async function listAlerts(db: Db, q: { state?: AlertState; since?: number; limit: number }) {
  const rs = await db.execute({
    sql: `SELECT * FROM alerts WHERE (? IS NULL OR state = ?) AND (? IS NULL OR started_at >= ?) ORDER BY started_at DESC, id DESC LIMIT ?`,
    args: [q.state ?? null, q.state ?? null, q.since ?? null, q.since ?? null, q.limit],
  });
  return rs.rows.map(alertOf);
}

export async function alertDetail(db: Db, id: number) {
  const [alert, transitions, notifications] = await db.batch(
    [
      { sql: "SELECT * FROM alerts WHERE id = ?", args: [id] },
      { sql: "SELECT * FROM alert_transitions WHERE alert_id = ? ORDER BY at, id", args: [id] },
      { sql: "SELECT * FROM notifications WHERE alert_id = ? ORDER BY created_at, id", args: [id] },
    ],
    "read",
  );
  const row = alert!.rows[0];
  if (!row) throw new NotFoundError(`No alert ${id}`);
  return {
    ...alertOf(row),
    transitions: transitions!.rows.map((t) => ({
      from: t.from_state,
      to: String(t.to_state),
      reason: String(t.reason),
      at: Number(t.at),
    })),
    notifications: notifications!.rows.map((n) => ({
      kind: String(n.kind),
      channel: String(n.channel),
      createdAt: Number(n.created_at),
      attempts: Number(n.attempts),
      sentAt: n.sent_at as number | null,
      failedAt: n.failed_at as number | null,
      lastError: n.last_error,
    })),
  };
}

/** Stops repeats of a firing alert until it resolves. */
export async function ackAlert(db: Db, id: number, now: number) {
  const rs = await db.execute({
    sql: "UPDATE alerts SET acked_at = COALESCE(acked_at, ?), updated_at = ? WHERE id = ? AND state = 'firing'",
    args: [now, now, id],
  });
  if (rs.rowsAffected === 0) {
    const detail = await alertDetail(db, id);
    throw new ConflictError(`Alert ${id} is ${detail.state}: only a firing alert can be acknowledged`);
  }
  return alertDetail(db, id);
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
