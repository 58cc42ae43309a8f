import { latestWithStatus, type Query } from "../db/query.js";

const HOUR = 3_600_000;

/** Verdicts since `since` per `step`-wide slot and status: from the hourly counts when the step is whole hours. */
export function verdictsPerSlot(since: number, step: number): Query<{ slot: number; status: string; n: number }[]> {
  return {
    statement: {
      sql:
        step >= HOUR
          ? `SELECT (hour / ${step}) * ${step} AS slot, status AS s, SUM(n) AS n FROM monitoring_hourly WHERE hour >= ? GROUP BY 1, 2`
          : `SELECT (analyzed_at / ${step}) * ${step} AS slot, verification_status AS s, COUNT(*) AS n FROM monitoring_results WHERE analyzed_at >= ? GROUP BY 1, 2`,
      args: [since],
    },
    map: (rs) => rs.rows.map((r) => ({ slot: Number(r.slot), status: String(r.s), n: Number(r.n) })),
  };
}

/** Judged verdicts (pass, fail, partial) since `since`, by status. */
export const judgedCounts = (since: number): Query<{ pass: number; fail: number; partial: number }> => ({
  statement: {
    sql: "SELECT verification_status AS s, COUNT(*) AS n FROM monitoring_results WHERE analyzed_at >= ? AND verification_status IN ('pass', 'fail', 'partial') GROUP BY 1",
    args: [since],
  },
  map: (rs) => {
    const by = Object.fromEntries(rs.rows.map((r) => [String(r.s), Number(r.n)]));
    return { pass: by.pass ?? 0, fail: by.fail ?? 0, partial: by.partial ?? 0 };
  },
});

const count = (sql: string, since: number): Query<number> => ({
  statement: { sql, args: [since] },
  map: (rs) => Number(rs.rows[0]?.n ?? 0),
});

/** Conversations since `since` that could not be analysed. */
export const analysisErrorCount = (since: number) =>
  count("SELECT COUNT(*) AS n FROM monitoring_results WHERE verification_status = 'error' AND analyzed_at >= ?", since);

/**
 * Verdicts since `since` whose system-of-record check got no answer: they stand as judged.
 * `givenUp` counts only those with no retry left.
 */
export const verifierUnavailableCount = (since: number, givenUp = false) =>
  count(
    `SELECT COUNT(*) AS n FROM monitoring_results WHERE verifier_status = 'unavailable' AND analyzed_at >= ?${givenUp ? " AND verifier_retry_at IS NULL" : ""}`,
    since,
  );

/** Conversations since `since` skipped because a reader did not recognise their I/O (never judged). */
export const unreadableCount = (since: number) =>
  count(
    "SELECT COUNT(*) AS n FROM monitoring_results WHERE verification_status = 'skipped' AND instr(error, 'unreadable_transcript') = 1 AND analyzed_at >= ?",
    since,
  );

/** Verdicts whose scores Langfuse refused since `since` (by when the refusal came back). */
export const scoresRefusedCount = (since: number) =>
  count("SELECT COUNT(*) AS n FROM monitoring_results WHERE scores_written_at >= ? AND scores_refused IS NOT NULL", since);

/** The reason of the newest score refusal since `since`: what an operator needs to fix it. */
export const latestScoreRefusal = (since: number): Query<string | null> => ({
  statement: {
    sql: "SELECT scores_refused FROM monitoring_results WHERE scores_written_at >= ? AND scores_refused IS NOT NULL ORDER BY scores_written_at DESC LIMIT 1",
    args: [since],
  },
  map: (rs) => (rs.rows[0] ? String(rs.rows[0].scores_refused) : null),
});

export interface FailedConversation {
  sessionId: string;
  intent: string | null;
  summary: string | null;
  category: string | null;
  at: number;
}

/** The newest failed or partial verdicts. */
export const recentFailedConversations = (limit: number): Query<FailedConversation[]> => ({
  statement: {
    sql: `SELECT session_id, intent_type, verdict_summary, json_extract(diagnostic_report_json, '$.category') AS category, analyzed_at
          FROM (${latestWithStatus("monitoring_results", "verification_status", ["fail", "partial"], "analyzed_at DESC")})`,
    args: [limit, limit, limit],
  },
  map: (rs) =>
    rs.rows.map((r) => ({
      sessionId: String(r.session_id),
      intent: r.intent_type === null ? null : String(r.intent_type),
      summary: r.verdict_summary === null ? null : String(r.verdict_summary),
      category: r.category === null ? null : String(r.category),
      at: Number(r.analyzed_at),
    })),
});
