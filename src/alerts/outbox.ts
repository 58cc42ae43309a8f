import { randomUUID } from "node:crypto";
import type { Db } from "../db/client.js";
import { errorMessage, UpstreamError } from "../errors.js";
import type { Logger } from "../log.js";
import { iso } from "../time.js";
import type { AlertMessage, Sender } from "./channels/sender.js";
import type { DeliverySettings } from "./delivery-settings.js";
import type { Channel } from "./rules.js";
import { alertsByIds, claimGroup, dueGroups, markFailed, markSent } from "./store/alerts.js";

type Claimed = Awaited<ReturnType<typeof claimGroup>>;

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
  const counts = { sent: 0, retrying: 0, failed: 0 };
  // One rule can resolve one alert and fire another in the same evaluation: each kind is its own message.
  for (const group of await dueGroups(db, now)) {
    const { groupKey, channel } = group;
    const rows = await claimGroup(db, group, { holder, until: now + CLAIM_MS, now });
    if (rows.length === 0) continue;
    const ids = rows.map((r) => r.id);
    const send = channels[channel];
    try {
      if (!send) throw new UpstreamError(`channel ${channel} is not configured`, false);
      await send(await message(db, groupKey, rows, statusUrl));
      await markSent(db, ids, holder, now);
      counts.sent++;
    } catch (error) {
      const reason = errorMessage(error);
      const attempts = rows[0]!.attempts + 1;
      const retryable = error instanceof UpstreamError && error.retryable;
      const giveUp = !retryable || now - rows[0]!.createdAt >= giveUpMs;
      const backoff = Math.max(
        error instanceof UpstreamError ? (error.retryAfterMs ?? 0) : 0,
        Math.min(3600_000, 30_000 * 2 ** (attempts - 1)),
      );
      await markFailed(db, ids, holder, { reason, nextAttemptAt: now + backoff, failedAt: giveUp ? now : null });
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

async function message(db: Db, groupKey: string, rows: Claimed, statusUrl: string | null): Promise<AlertMessage> {
  const alerts = await alertsByIds(
    db,
    rows.map((r) => r.alertId),
  );
  return {
    groupKey,
    rule: rows[0]!.rule,
    severity: alerts[0]!.severity,
    kind: rows[0]!.kind as AlertMessage["kind"],
    alerts: alerts.map((a) => ({
      id: a.id,
      labels: a.labels,
      summary: a.summary,
      startedAt: iso(a.startedAt)!,
      resolvedAt: iso(a.resolvedAt),
    })),
    statusUrl,
  };
}
