import type { Query } from "../db/query.js";

/** Alerts firing now, counted by rule and severity. */
export const firingCounts = (): Query<{ rule: string; severity: string; n: number }[]> => ({
  statement: "SELECT rule, severity, COUNT(*) AS n FROM alerts WHERE state = 'firing' GROUP BY 1, 2",
  map: (rs) => rs.rows.map((r) => ({ rule: String(r.rule), severity: String(r.severity), n: Number(r.n) })),
});
