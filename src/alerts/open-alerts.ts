import type { Db } from "../db/client.js";
import type { OpenAlert } from "./decide.js";

/** A rule's alerts that have not resolved, by fingerprint: what `decide` starts from. */
export async function listOpenAlerts(db: Db, rule: string): Promise<Map<string, OpenAlert>> {
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
