import type { Db } from "../db/client.js";
import { escalations } from "./store/alerts.js";

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
    escalations({ route: ROUTE, now, firedBy: now - afterMs, startedSince: now - RESOLVE_HORIZON_MS }),
    "write",
  );
  return { escalated: firing!.rowsAffected, escalationsResolved: resolved!.rowsAffected };
}
