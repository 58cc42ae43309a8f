import { randomUUID } from "node:crypto";
import type { Db } from "../db/client.js";
import { errorMessage, UpstreamError } from "../errors.js";
import type { Logger } from "../log.js";
import { iso } from "../time.js";
import type { AlertMessage, Sender } from "./channels/sender.js";
import type { DeliverySettings } from "./delivery-settings.js";
import type { Channel } from "./rules.js";

const CLAIM_MS = 60_000;

/**
 * Sends due notifications, one grouped message per (evaluation, rule, kind, channel). A group is
 * claimed with a guarded update before sending, so two overlapping heartbeats never send it
 * twice; failures are retried with backoff (a Retry-After is honoured) and given up after
 * NOTIFICATION_GIVE_UP_HOURS, recorded on the notification.
 */
export async function deliverNotifications(
  deps: { db: Db; log: Logger },
  now: number,
  channels: Partial<Record<Channel, Sender>>,
  { giveUpMs, statusUrl }: DeliverySettings,
) {
  const { db } = deps;
  const holder = randomUUID();
  const due = await db.execute({
    sql: `SELECT DISTINCT group_key, channel, kind FROM notifications
          WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ? AND claim_until < ? ORDER BY created_at LIMIT 100`,
    args: [now, now],
  });
  const counts = { sent: 0, retrying: 0, failed: 0 };
  for (const g of due.rows) {
    // One rule can resolve one alert and fire another in the same evaluation: each kind is its own message.
    const [groupKey, channel, kind] = [String(g.group_key), String(g.channel) as Channel, String(g.kind)];
    const claimed = await db.execute({
      sql: `UPDATE notifications SET claim_holder = ?, claim_until = ?
            WHERE group_key = ? AND channel = ? AND kind = ? AND sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ? AND claim_until < ?
            RETURNING id, alert_id, rule, kind, attempts, created_at`,
      args: [holder, now + CLAIM_MS, groupKey, channel, kind, now, now],
    });
    if (claimed.rows.length === 0) continue;
    const rows = claimed.rows;
    const ids = rows.map((r) => Number(r.id));
    const placeholders = ids.map(() => "?").join(",");
    const send = channels[channel];
    try {
      if (!send) throw new UpstreamError(`channel ${channel} is not configured`, false);
      await send(await message(db, groupKey, rows, statusUrl));
      await db.execute({
        sql: `UPDATE notifications SET sent_at = ?, attempts = attempts + 1, last_error = NULL WHERE id IN (${placeholders}) AND claim_holder = ?`,
        args: [now, ...ids, holder],
      });
      counts.sent++;
    } catch (error) {
      const reason = errorMessage(error);
      const attempts = Number(rows[0]!.attempts) + 1;
      const retryable = error instanceof UpstreamError && error.retryable;
      const giveUp = !retryable || now - Number(rows[0]!.created_at) >= giveUpMs;
      const backoff = Math.max(
        error instanceof UpstreamError ? (error.retryAfterMs ?? 0) : 0,
        Math.min(3600_000, 30_000 * 2 ** (attempts - 1)),
      );
      await db.execute({
        sql: `UPDATE notifications SET attempts = attempts + 1, last_error = ?, claim_holder = NULL, claim_until = 0,
                next_attempt_at = ?, failed_at = ? WHERE id IN (${placeholders}) AND claim_holder = ?`,
        args: [reason, now + backoff, giveUp ? now : null, ...ids, holder],
      });
      if (giveUp) {
        counts.failed++;
        deps.log.error("notification given up", { channel, group: groupKey, attempts, reason });
      } else {
        counts.retrying++;
        deps.log.warn("notification will be retried", { channel, group: groupKey, attempts, reason, retry_in_ms: backoff });
      }
    }
  }
  return counts;
}

async function message(db: Db, groupKey: string, rows: Record<string, unknown>[], statusUrl: string | null): Promise<AlertMessage> {
  const alertIds = rows.map((r) => Number(r.alert_id));
  const rs = await db.execute({
    sql: `SELECT * FROM alerts WHERE id IN (${alertIds.map(() => "?").join(",")}) ORDER BY id`,
    args: alertIds,
  });
  const first = rs.rows[0]!;
  return {
    groupKey,
    rule: String(rows[0]!.rule),
    severity: String(first.severity),
    kind: rows[0]!.kind as AlertMessage["kind"],
    alerts: rs.rows.map((a) => ({
      id: Number(a.id),
      labels: JSON.parse(String(a.labels)),
      summary: String(a.summary),
      startedAt: iso(Number(a.started_at))!,
      resolvedAt: iso(a.resolved_at as number | null),
    })),
    statusUrl,
  };
}
