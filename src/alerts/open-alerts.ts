import type { Db } from "../db/client.js";
import type { OpenAlert } from "./decide.js";

/**
 * Every rule's alerts that have not resolved, by rule then fingerprint: what `decide` starts
 * from. One read for all rules (a heartbeat at Turso's distance pays per round trip).
 */
export async function listOpenAlertsByRule(db: Db): Promise<Map<string, Map<string, OpenAlert>>> {
  const rs = await db.execute("SELECT * FROM alerts WHERE state != 'resolved'");
  const n = (v: unknown) => (v === null ? null : Number(v));
  const byRule = new Map<string, Map<string, OpenAlert>>();
  for (const r of rs.rows) {
    const rule = String(r.rule);
    if (!byRule.has(rule)) byRule.set(rule, new Map());
    byRule.get(rule)!.set(String(r.fingerprint), {
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
    });
  }
  return byRule;
}
