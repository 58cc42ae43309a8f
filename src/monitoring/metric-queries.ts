import type { Query } from "../db/query.js";
import { dayOf } from "./results.js";

/** Verdicts stored since `since`, by intent and status (from the hourly counts, so `since` is a whole hour). */
export const verdictsByIntentAndStatus = (since: number): Query<{ intent: string; status: string; n: number }[]> => ({
  statement: { sql: "SELECT intent, status, SUM(n) AS n FROM monitoring_hourly WHERE hour >= ? GROUP BY 1, 2", args: [since] },
  map: (rs) => rs.rows.map((r) => ({ intent: String(r.intent), status: String(r.status), n: Number(r.n) })),
});

/** Completed diagnoses (of failed and partial conversations) analysed since `since`, by category; both statuses named so the index reads only the range. */
export const diagnosesByCategory = (since: number): Query<{ category: string; n: number }[]> => ({
  statement: {
    sql: `SELECT COALESCE(json_extract(diagnostic_report_json, '$.category'), 'unknown') AS category, COUNT(*) AS n FROM monitoring_results
          WHERE diagnostic_status = 'complete' AND verification_status IN ('fail', 'partial') AND analyzed_at >= ? GROUP BY 1`,
    args: [since],
  },
  map: (rs) => rs.rows.map((r) => ({ category: String(r.category), n: Number(r.n) })),
});

/** The judge's tokens and spend on the UTC day of `at` (the same row its spend cap reads). */
export const judgeSpendOn = (at: number): Query<{ tokens: number; costUsd: number }> => ({
  statement: { sql: "SELECT tokens, cost_usd FROM judge_spend WHERE day = ?", args: [dayOf(at)] },
  map: (rs) => ({ tokens: Number(rs.rows[0]?.tokens ?? 0), costUsd: Number(rs.rows[0]?.cost_usd ?? 0) }),
});

/** Where the Langfuse import has read up to (ms), if it ever ran. */
export const importWatermark = (): Query<number | null> => ({
  statement: { sql: "SELECT value FROM monitor_state WHERE key = 'watermark'", args: [] },
  map: (rs) => (rs.rows[0] ? Number(rs.rows[0].value) : null),
});
