import { capCandidates } from "./instance-cap.js";
import type { Channel, Rule } from "./rules.js";
import { INHIBITIONS, type Candidate } from "./signals.js";
import { matchingSilence, type Silence } from "./silences.js";

/** An alert instance of one rule that has not resolved, as stored. */
export interface OpenAlert {
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

/**
 * What one evaluation of a rule changes. Every action that writes a state change carries the
 * state it expects (`from`, `lastNotifiedAt`), so `apply` can guard it: an evaluation that
 * overlaps another changes nothing the other already changed.
 */
export type AlertAction =
  | {
      type: "open";
      fingerprint: string;
      labels: Record<string, string>;
      state: "pending" | "firing";
      summary: string;
      reason: string;
      notify: Channel[];
    }
  | { type: "hold"; alertId: number; consecutive: number; summary: string }
  | { type: "transition"; alertId: number; from: OpenAlert["state"]; to: "firing" | "resolved"; reason: string; notify: Channel[] }
  | { type: "repeat"; alertId: number; lastNotifiedAt: number | null; kind: "firing" | "repeat"; summary: string; notify: Channel[] }
  | { type: "refresh"; alertId: number; summary: string }
  | { type: "clear"; alertId: number };

export interface Decision {
  rule: string;
  severity: Rule["severity"];
  /** Notifications of one evaluation of one rule are grouped into one message per channel and kind. */
  groupKey: string;
  now: number;
  actions: AlertAction[];
  /** Conditions that held but notified nobody (silenced or inhibited). */
  muted: number;
}

/** Labels of the alerts firing now, by the signal of their rule (inhibitions are declared per signal). */
export type FiringLabels = ReadonlyMap<string, Record<string, string>[]>;

const MIN = 60_000;
const minutesHeld = (since: number, now: number) => Math.floor(now / MIN) - Math.floor(since / MIN);
export const fingerprintOf = (rule: string, labels: Record<string, string>) =>
  `${rule}|${JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)))}`;

/** Why a condition of `rule` notifies nobody now, if it does not. */
function muteReason(rule: Rule, labels: Record<string, string>, silences: Silence[], firing: FiringLabels): string | undefined {
  const silence = matchingSilence(silences, rule.name, labels);
  if (silence) return `silenced by #${silence.id} (${silence.comment})`;
  for (const inh of INHIBITIONS) {
    if (!inh.targets.includes(rule.signal)) continue;
    const sources = (firing.get(inh.source) ?? []).filter((l) => Object.entries(inh.sourceLabels ?? {}).every(([k, v]) => l[k] === v));
    if (sources.some((l) => inh.equal.every((k) => l[k] === labels[k]))) return `inhibited while ${inh.source} fires`;
  }
  return undefined;
}

const withMute = (summary: string, muted: string | undefined) => [summary, muted].filter(Boolean).join(" — ");

/**
 * One evaluation of one rule, from its open alerts and the conditions that hold now, without
 * touching the database. Each instance (rule plus labels) moves pending → firing → resolved.
 * `rule.channels` are the channels this deployment can send to.
 */
export function decide(
  open: ReadonlyMap<string, OpenAlert>,
  candidates: Candidate[],
  rule: Rule,
  silences: Silence[],
  now: number,
  firing: FiringLabels = new Map(),
): Decision {
  const actions: AlertAction[] = [];
  let muted = 0;
  const seen = new Set<string>();
  const capped = capCandidates(candidates, (c) => open.has(fingerprintOf(rule.name, c.labels)), open.size);

  for (const cand of capped) {
    const fp = fingerprintOf(rule.name, cand.labels);
    if (seen.has(fp)) continue;
    seen.add(fp);
    const existing = open.get(fp);
    const mute = muteReason(rule, cand.labels, silences, firing);
    const notify = mute ? [] : rule.channels;
    if (mute) muted++;
    if (!existing) {
      const fireNow = rule.forEvaluations <= 1 && rule.groupWaitSeconds === 0;
      actions.push({
        type: "open",
        fingerprint: fp,
        labels: cand.labels,
        state: fireNow ? "firing" : "pending",
        summary: cand.summary,
        reason: fireNow ? withMute(cand.summary, mute) : "condition met; waiting before firing",
        notify: fireNow ? notify : [],
      });
      continue;
    }
    if (existing.state === "pending") {
      // Held for scheduled minutes, not for calls: a cron delivered three times in one minute
      // is one evaluation (the minute of `now` against the minute the condition began).
      const consecutive = minutesHeld(existing.startedAt, now) + 1;
      if (consecutive >= rule.forEvaluations && now - existing.startedAt >= rule.groupWaitSeconds * 1000) {
        actions.push({
          type: "transition",
          alertId: existing.id,
          from: "pending",
          to: "firing",
          reason: withMute(cand.summary, mute),
          notify,
        });
      } else {
        actions.push({ type: "hold", alertId: existing.id, consecutive, summary: cand.summary });
      }
      continue;
    }
    // Firing and still true: keep it open (cancelling a pending resolution) and repeat on schedule.
    const due = existing.lastNotifiedAt === null || now - existing.lastNotifiedAt >= rule.repeatMinutes * MIN;
    if (due && !existing.ackedAt && notify.length > 0) {
      const kind = existing.lastNotifiedAt === null ? "firing" : "repeat";
      actions.push({ type: "repeat", alertId: existing.id, lastNotifiedAt: existing.lastNotifiedAt, kind, summary: cand.summary, notify });
    } else if (existing.clearedAt !== null || existing.summary !== cand.summary) {
      // The summary follows the condition while it fires ("20 errors", not the "2" it fired with).
      actions.push({ type: "refresh", alertId: existing.id, summary: cand.summary });
    }
  }

  for (const [fp, a] of open) {
    if (seen.has(fp)) continue;
    if (a.state === "pending") {
      // Cleared within the wait: resolved without a word.
      actions.push({ type: "transition", alertId: a.id, from: "pending", to: "resolved", reason: "cleared before firing", notify: [] });
      continue;
    }
    if (rule.flapMinutes > 0 && (a.clearedAt === null || now - a.clearedAt < rule.flapMinutes * MIN)) {
      if (a.clearedAt === null) actions.push({ type: "clear", alertId: a.id });
      continue;
    }
    // Only an alert that was announced gets a resolved message.
    const notify = a.lastNotifiedAt === null || !rule.notifyResolved ? [] : rule.channels;
    actions.push({ type: "transition", alertId: a.id, from: "firing", to: "resolved", reason: "condition cleared", notify });
  }
  return { rule: rule.name, severity: rule.severity, groupKey: `${rule.name}@${now}`, now, actions, muted };
}

/** What a decision counts in the heartbeat's summary. */
export function countDecision(d: Decision) {
  let [fired, resolved, repeated] = [0, 0, 0];
  for (const a of d.actions) {
    if ((a.type === "open" && a.state === "firing") || (a.type === "transition" && a.to === "firing")) fired++;
    else if (a.type === "transition" && a.from === "firing") resolved++;
    else if (a.type === "repeat") repeated++;
  }
  return { fired, resolved, repeated, muted: d.muted };
}
