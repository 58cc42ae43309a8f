import type { InStatement } from "@libsql/client";
import type { Db } from "../db/client.js";
import type { Deps } from "../deps.js";
import type { Channel, Rule } from "./rules.js";
import { capCandidates } from "./instance-cap.js";
import { INHIBITIONS, SIGNAL_FNS, type Candidate } from "./signals.js";
import { listSilences, matchingSilence } from "./silences.js";

interface OpenAlert {
  id: number;
  state: "pending" | "firing";
  consecutive: number;
  startedAt: number;
  firedAt: number | null;
  clearedAt: number | null;
  lastNotifiedAt: number | null;
  ackedAt: number | null;
  labels: Record<string, string>;
  summary: string;
}

const MIN = 60_000;
const minutesHeld = (since: number, now: number) => Math.floor(now / MIN) - Math.floor(since / MIN);
export const fingerprintOf = (rule: string, labels: Record<string, string>) =>
  `${rule}|${JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)))}`;

/** Notifications for the transition just inserted, one per channel (none when muted). */
function notifyAfterTransition(rule: string, kind: "firing" | "resolved", channels: Channel[], groupKey: string, now: number): InStatement {
  return {
    sql: `INSERT INTO notifications (alert_id, rule, kind, channel, group_key, created_at, next_attempt_at)
          SELECT t.alert_id, ?, ?, c.value, ?, ?, ? FROM alert_transitions t, json_each(?) c
          WHERE t.id = last_insert_rowid() AND changes() = 1`,
    args: [rule, kind, groupKey, now, now, JSON.stringify(channels)],
  };
}

/** A guarded state change of an existing alert, its transition row, and its notifications — all or nothing. */
function transition(a: OpenAlert, rule: string, to: "firing" | "resolved", reason: string, channels: Channel[], groupKey: string, now: number): InStatement[] {
  const notify = channels.length > 0;
  return [
    {
      sql: `UPDATE alerts SET state = ?, fired_at = CASE WHEN ? = 'firing' THEN ? ELSE fired_at END,
              resolved_at = CASE WHEN ? = 'resolved' THEN ? ELSE NULL END, cleared_at = NULL,
              last_notified_at = CASE WHEN ? THEN ? ELSE last_notified_at END, updated_at = ?
            WHERE id = ? AND state = ?`,
      args: [to, to, now, to, now, notify ? 1 : 0, now, now, a.id, a.state],
    },
    { sql: "INSERT INTO alert_transitions (alert_id, from_state, to_state, reason, at) SELECT ?, ?, ?, ?, ? WHERE changes() = 1", args: [a.id, a.state, to, reason, now] },
    notifyAfterTransition(rule, to === "firing" ? "firing" : "resolved", channels, groupKey, now),
  ];
}

/**
 * Evaluates every rule (the heartbeat calls this each minute). Each alert instance — rule plus
 * labels — moves pending → firing → resolved, stored as transitions. Notifications are written
 * to the outbox in the same batch as the transition that causes them, so an alert notifies
 * exactly when its state changed, even if two evaluations overlap.
 */
export async function evaluateAlerts(deps: Deps, now: number, rules: Rule[], configured: Channel[]) {
  const { db } = deps;
  const silences = await listSilences(db, now, false);
  const firingLabels = new Map<string, Record<string, string>[]>();
  // Inhibiting rules first, so their targets see what fires now.
  const inhibitors = new Set(INHIBITIONS.map((i) => i.source));
  const ordered = [...rules].sort((a, b) => Number(inhibitors.has(b.signal)) - Number(inhibitors.has(a.signal)));
  const counts = { fired: 0, resolved: 0, repeated: 0, muted: 0 };

  const muteReason = (rule: Rule, labels: Record<string, string>): string | undefined => {
    const silence = matchingSilence(silences, rule.name, labels);
    if (silence) return `silenced by #${silence.id} (${silence.comment})`;
    for (const inh of INHIBITIONS) {
      if (!inh.targets.includes(rule.signal)) continue;
      const sources = (firingLabels.get(inh.source) ?? []).filter((l) => Object.entries(inh.sourceLabels ?? {}).every(([k, v]) => l[k] === v));
      if (sources.some((l) => inh.equal.every((k) => l[k] === labels[k]))) return `inhibited while ${inh.source} fires`;
    }
    return undefined;
  };

  for (const rule of ordered) {
    if (!rule.enabled) continue;
    const open = await openAlerts(db, rule.name);
    const candidates = capCandidates(await SIGNAL_FNS[rule.signal](deps, now, rule), (c) => open.has(fingerprintOf(rule.name, c.labels)), open.size);
    const groupKey = `${rule.name}@${now}`;
    const channels = rule.channels.filter((c) => configured.includes(c));
    const seen = new Set<string>();

    for (const cand of candidates) {
      const fp = fingerprintOf(rule.name, cand.labels);
      if (seen.has(fp)) continue;
      seen.add(fp);
      const existing = open.get(fp);
      const muted = muteReason(rule, cand.labels);
      const notifyTo = muted ? [] : channels;
      if (muted) counts.muted++;
      if (!existing) {
        const fireNow = rule.forEvaluations <= 1 && rule.groupWaitSeconds === 0;
        await db.batch(
          [
            {
              sql: `INSERT INTO alerts (rule, fingerprint, labels, severity, state, summary, started_at, fired_at, last_notified_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
              args: [rule.name, fp, JSON.stringify(cand.labels), rule.severity, fireNow ? "firing" : "pending", cand.summary, now, fireNow ? now : null, fireNow && notifyTo.length ? now : null, now],
            },
            {
              sql: "INSERT INTO alert_transitions (alert_id, from_state, to_state, reason, at) SELECT last_insert_rowid(), NULL, ?, ?, ? WHERE changes() = 1",
              args: [fireNow ? "firing" : "pending", fireNow ? [cand.summary, muted].filter(Boolean).join(" — ") : "condition met; waiting before firing", now],
            },
            notifyAfterTransition(rule.name, "firing", fireNow ? notifyTo : [], groupKey, now),
          ],
          "write",
        );
        if (fireNow) counts.fired++;
        continue;
      }
      if (existing.state === "pending") {
        // Held for scheduled minutes, not for calls: a cron delivered three times in one minute
        // is one evaluation (the minute of `now` against the minute the condition began).
        const consecutive = minutesHeld(existing.startedAt, now) + 1;
        if (consecutive >= rule.forEvaluations && now - existing.startedAt >= rule.groupWaitSeconds * 1000) {
          await db.batch(transition(existing, rule.name, "firing", [cand.summary, muted].filter(Boolean).join(" — "), notifyTo, groupKey, now), "write");
          counts.fired++;
        } else {
          await db.execute({ sql: "UPDATE alerts SET consecutive = ?, summary = ?, updated_at = ? WHERE id = ? AND state = 'pending'", args: [consecutive, cand.summary, now, existing.id] });
        }
        continue;
      }
      // Firing and still true: keep it open (cancelling a pending resolution) and repeat on schedule.
      const due = existing.lastNotifiedAt === null || now - existing.lastNotifiedAt >= rule.repeatMinutes * MIN;
      if (due && !existing.ackedAt && notifyTo.length > 0) {
        await db.batch(
          [
            {
              sql: "UPDATE alerts SET last_notified_at = ?, cleared_at = NULL, summary = ?, updated_at = ? WHERE id = ? AND state = 'firing' AND COALESCE(last_notified_at, 0) = ?",
              args: [now, cand.summary, now, existing.id, existing.lastNotifiedAt ?? 0],
            },
            {
              sql: `INSERT INTO notifications (alert_id, rule, kind, channel, group_key, created_at, next_attempt_at)
                    SELECT ?, ?, ?, c.value, ?, ?, ? FROM json_each(?) c WHERE changes() = 1`,
              args: [existing.id, rule.name, existing.lastNotifiedAt === null ? "firing" : "repeat", groupKey, now, now, JSON.stringify(notifyTo)],
            },
          ],
          "write",
        );
        counts.repeated++;
      } else if (existing.clearedAt !== null || existing.summary !== cand.summary) {
        // The summary follows the condition while it fires ("20 errors", not the "2" it fired with).
        await db.execute({ sql: "UPDATE alerts SET cleared_at = NULL, summary = ?, updated_at = ? WHERE id = ?", args: [cand.summary, now, existing.id] });
      }
    }

    for (const [fp, a] of open) {
      if (seen.has(fp)) continue;
      if (a.state === "pending") {
        // Cleared within the wait: resolved without a word.
        await db.batch(transition(a, rule.name, "resolved", "cleared before firing", [], groupKey, now), "write");
        continue;
      }
      if (rule.flapMinutes > 0 && (a.clearedAt === null || now - a.clearedAt < rule.flapMinutes * MIN)) {
        if (a.clearedAt === null) await db.execute({ sql: "UPDATE alerts SET cleared_at = ?, updated_at = ? WHERE id = ? AND cleared_at IS NULL", args: [now, now, a.id] });
        continue;
      }
      // Only an alert that was announced gets a resolved message.
      await db.batch(transition(a, rule.name, "resolved", "condition cleared", a.lastNotifiedAt === null || !rule.notifyResolved ? [] : channels, groupKey, now), "write");
      counts.resolved++;
    }
    const firing = await db.execute({ sql: "SELECT labels FROM alerts WHERE rule = ? AND state = 'firing'", args: [rule.name] });
    firingLabels.set(rule.signal, firing.rows.map((r) => JSON.parse(String(r.labels)) as Record<string, string>));
  }
  // Every event up to now has been seen by the rules that watch it.
  const consumed = await db.execute({ sql: "UPDATE events SET processed_at = ? WHERE processed_at IS NULL AND created_at <= ?", args: [now, now] });
  return { ...counts, eventsConsumed: consumed.rowsAffected };
}

async function openAlerts(db: Db, rule: string): Promise<Map<string, OpenAlert>> {
  const rs = await db.execute({ sql: "SELECT * FROM alerts WHERE rule = ? AND state != 'resolved'", args: [rule] });
  const n = (v: unknown) => (v === null ? null : Number(v));
  return new Map(
    rs.rows.map((r) => [
      String(r.fingerprint),
      {
        id: Number(r.id),
        state: r.state as OpenAlert["state"],
        consecutive: Number(r.consecutive),
        startedAt: Number(r.started_at),
        firedAt: n(r.fired_at),
        clearedAt: n(r.cleared_at),
        lastNotifiedAt: n(r.last_notified_at),
        ackedAt: n(r.acked_at),
        labels: JSON.parse(String(r.labels)),
        summary: String(r.summary),
      },
    ]),
  );
}

export type { Candidate };
