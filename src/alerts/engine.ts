import type { AlertContext } from "./context.js";
import { applyDecision } from "./apply.js";
import { countDecision, decide } from "./decide.js";
import type { Channel, Rule } from "./rules.js";
import { INHIBITIONS, SIGNAL_FNS } from "./signals.js";
import { listSilences } from "./silences.js";
import { firingLabels, listOpenAlertsByRule } from "./store/alerts.js";

/**
 * Evaluates every rule (the heartbeat calls this each minute): reads what is open and what holds
 * now, lets `decide` say what changes, and writes that with `applyDecision`. Notifications are
 * written to the outbox in the same batch as the transition that causes them, so an alert
 * notifies exactly when its state changed, even if two evaluations overlap.
 */
export async function evaluateAlerts(deps: AlertContext, now: number, rules: Rule[], configured: Channel[]) {
  const { db } = deps;
  // Inhibiting rules first, so their targets see what fires now.
  const inhibitors = new Set(INHIBITIONS.map((i) => i.source));
  const ordered = rules.filter((r) => r.enabled).sort((a, b) => Number(inhibitors.has(b.signal)) - Number(inhibitors.has(a.signal)));
  // Signals read runs, events, rollups and verdicts, never alerts: all of them at once, beside
  // the open alerts and silences, so the reads cost one round trip's wait, not one per rule.
  const [silences, openByRule, candidatesByRule] = await Promise.all([
    listSilences(db, now, false),
    listOpenAlertsByRule(db),
    Promise.all(ordered.map((rule) => SIGNAL_FNS[rule.signal](deps, now, rule))),
  ]);
  const firing = new Map<string, Record<string, string>[]>();
  const counts = { fired: 0, resolved: 0, repeated: 0, muted: 0 };
  for (const [i, rule] of ordered.entries()) {
    const deployed = { ...rule, channels: rule.channels.filter((c) => configured.includes(c)) };
    const decision = decide(openByRule.get(rule.name) ?? new Map(), candidatesByRule[i]!, deployed, silences, now, firing);
    await applyDecision(db, decision);
    for (const [k, v] of Object.entries(countDecision(decision))) counts[k as keyof typeof counts] += v;
    if (!inhibitors.has(rule.signal)) continue;
    // Read back rather than derived: an overlapping evaluation may have fired what this one did not.
    firing.set(rule.signal, await firingLabels(db, rule.name));
  }
  return counts;
}
