// How stored alerts and notifications become data (their SQL is in alerts.ts).
import type { Row } from "@libsql/client";
import { num } from "../../db/query.js";
import type { OpenAlert } from "../decide.js";

export type AlertState = "pending" | "firing" | "resolved";

export const alertOf = (r: Row) => ({
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

/** An alert that has not resolved, as `decide` starts from it. */
export const openAlertOf = (r: Row): OpenAlert => ({
  id: Number(r.id),
  state: r.state as OpenAlert["state"],
  consecutive: Number(r.consecutive),
  startedAt: Number(r.started_at),
  firedAt: num(r.fired_at),
  clearedAt: num(r.cleared_at),
  lastNotifiedAt: num(r.last_notified_at),
  ackedAt: num(r.acked_at),
  labels: JSON.parse(String(r.labels)),
  summary: String(r.summary),
});

/** A notification as an alert's detail shows it. */
export const notificationOf = (n: Row) => ({
  kind: String(n.kind),
  channel: String(n.channel),
  createdAt: Number(n.created_at),
  attempts: Number(n.attempts),
  sentAt: n.sent_at as number | null,
  failedAt: n.failed_at as number | null,
  lastError: n.last_error,
});
export type SentNotice = ReturnType<typeof notificationOf>;
