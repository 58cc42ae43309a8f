// The one module with SQL for monitoring_results: one verdict per session version. Its counts per
// hour are hourly.ts's, its outcomes and costs per quarter hour outcomes.ts's, which read the
// ragged edges of their quarter hours from here (the *Edges parts, embedded in their statements).
import type { InStatement } from "@libsql/client";
import type { Conditional } from "../../db/guarded-batch.js";
import { latestWithStatus, type Query } from "../../db/query.js";
import type { ResultRow, SeedVerdict, VerifierRecord } from "../verdict-row.js";
import { type Range, inRanges, type SqlPart, windowRanges } from "./ranges.js";
import { CONVERSATION_COST } from "./sessions.js";

const HOUR = 3_600_000;

/** What the `verifier` column keeps: the answer and the facts asked about. */
const verifierJson = (r: VerifierRecord) => JSON.stringify({ detail: r.detail, facts: r.facts });

/**
 * One verdict per session version; conditional, so it only lands if the claim that made it still held.
 * It keeps what the conversation cost the bot: the sum of its observations' Langfuse cost, NULL
 * (not measured) when none had one. `cost_usd` is the judge's spend on it, never added in.
 */
export function resultInsert(r: ResultRow): Conditional {
  return (when) => ({
    sql: `INSERT INTO monitoring_results (session_id, activity_version, intent_type, intent_confidence, intent_summary, verification_status,
            verdict_summary, evidence, unmet, quality_flags, verifier, verifier_status, verifier_attempts, verifier_retry_at,
            analyzed_at, model, tokens_in, tokens_out, cost_usd, attempts, error, environment, release, release_version, prompt,
            conversation_cost_usd)
          SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
            ${CONVERSATION_COST} WHERE ${when}
          ON CONFLICT (session_id, activity_version) DO NOTHING`,
    args: [
      r.sessionId,
      r.activityVersion,
      r.intent?.intent ?? null,
      r.intent?.confidence ?? null,
      r.intent?.summary ?? null,
      r.status,
      r.fulfillment?.summary ?? (r.status === "skipped" ? "intent unclear: not verified" : null),
      r.fulfillment ? JSON.stringify(r.fulfillment.evidence) : null,
      r.fulfillment ? JSON.stringify(r.fulfillment.unmet) : null,
      r.fulfillment ? JSON.stringify(r.fulfillment.quality) : null,
      r.verifier ? verifierJson(r.verifier) : null,
      r.verifier?.status ?? null,
      r.verifier?.attempts ?? 0,
      r.verifier?.retryAt ?? null,
      r.analyzedAt,
      r.usage.model,
      r.usage.tokensIn,
      r.usage.tokensOut,
      r.usage.costUsd,
      r.attempts,
      r.error ?? null,
      r.environment ?? null,
      r.release ?? null,
      r.releaseVersion ?? null,
      r.prompt ?? null,
      r.sessionId,
    ],
  });
}

/** Verdicts since `since` per `step`-wide slot (under an hour: the hourly counts serve whole hours) and status. */
export const resultsPerSlot = (since: number, step: number): Query<{ slot: number; status: string; n: number }[]> => ({
  statement: {
    sql: `SELECT (analyzed_at / ${step}) * ${step} AS slot, verification_status AS s, COUNT(*) AS n FROM monitoring_results WHERE analyzed_at >= ? GROUP BY 1, 2`,
    args: [since],
  },
  map: (rs) => rs.rows.map((r) => ({ slot: Number(r.slot), status: String(r.s), n: Number(r.n) })),
});

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

/**
 * Conversations since `since` skipped because a reader did not recognise their I/O (never judged).
 * Named index: the planner takes the status index and reads every skipped verdict's error; the
 * partial index of migration 25 holds these alone (its condition is this one, word for word).
 */
export const unreadableCount = (since: number) =>
  count(
    `SELECT COUNT(*) AS n FROM monitoring_results INDEXED BY monitoring_results_unreadable
     WHERE verification_status = 'skipped' AND instr(error, 'unreadable_transcript') = 1 AND analyzed_at >= ?`,
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

/** Completed diagnoses (of failed and partial conversations) analysed since `since`, by category; both statuses named so the index reads only the range. */
export const diagnosesByCategory = (since: number): Query<{ category: string; n: number }[]> => ({
  statement: {
    sql: `SELECT COALESCE(json_extract(diagnostic_report_json, '$.category'), 'unknown') AS category, COUNT(*) AS n FROM monitoring_results
          WHERE diagnostic_status = 'complete' AND verification_status IN ('fail', 'partial') AND analyzed_at >= ? GROUP BY 1`,
    args: [since],
  },
  map: (rs) => rs.rows.map((r) => ({ category: String(r.category), n: Number(r.n) })),
});

/** System-of-record checks analysed since `since`, by outcome. */
export const verifierOutcomes = (since: number): Query<{ status: string; n: number }[]> => ({
  statement: {
    sql: "SELECT verifier_status AS s, COUNT(*) AS n FROM monitoring_results WHERE verifier_status IN ('verified', 'not_found', 'unavailable') AND analyzed_at >= ? GROUP BY 1",
    args: [since],
  },
  map: (rs) => rs.rows.map((r) => ({ status: String(r.s), n: Number(r.n) })),
});

/** Verdicts newest first, filtered, after the (analyzed_at, id) cursor `after`: one more than `limit`, to tell whether a page follows. */
export const resultsPage = (
  q: { status?: string; intent?: string; since?: number; limit: number },
  after: [number, number] | null,
): InStatement => ({
  sql: `SELECT * FROM monitoring_results WHERE (? IS NULL OR verification_status = ?) AND (? IS NULL OR intent_type = ?)
          AND (? IS NULL OR analyzed_at >= ?) AND (? IS NULL OR (analyzed_at, id) < (?, ?))
        ORDER BY analyzed_at DESC, id DESC LIMIT ?`,
  args: [
    q.status ?? null,
    q.status ?? null,
    q.intent ?? null,
    q.intent ?? null,
    q.since ?? null,
    q.since ?? null,
    after?.[0] ?? null,
    after?.[0] ?? null,
    after?.[1] ?? null,
    q.limit + 1,
  ],
});

/** Every verdict of a session, newest version first. */
export const sessionVerdicts = (sessionId: string): InStatement => ({
  sql: "SELECT * FROM monitoring_results WHERE session_id = ? ORDER BY activity_version DESC",
  args: [sessionId],
});

/** Quality-flag sums over [from, to) of the verdicts that carry flags, and a few sessions per flag: for one read batch. */
export function qualityReads(flags: readonly string[], from: number, to: number): [InStatement, InStatement] {
  const sums = flags.map((f) => `COALESCE(SUM(json_extract(quality_flags, '$.${f}')), 0) AS ${f}`).join(", ");
  const examples = flags
    .map(
      (f) =>
        `SELECT '${f}' AS flag, session_id FROM (SELECT session_id FROM monitoring_results WHERE quality_flags IS NOT NULL AND analyzed_at >= ? AND analyzed_at < ? AND json_extract(quality_flags, '$.${f}') = 1 ORDER BY analyzed_at DESC LIMIT 3)`,
    )
    .join(" UNION ALL ");
  return [
    {
      sql: `SELECT COUNT(*) AS judged, ${sums} FROM monitoring_results WHERE quality_flags IS NOT NULL AND analyzed_at >= ? AND analyzed_at < ?`,
      args: [from, to],
    },
    { sql: examples, args: flags.flatMap(() => [from, to]) },
  ];
}

/** Unavailable checks due again by `now`, soonest first (only an unavailable check has a retry time: the partial index). */
export const dueChecks = (now: number, limit: number): InStatement => ({
  sql: `SELECT id, session_id, intent_type, verification_status, unmet, verifier, verifier_attempts, analyzed_at FROM monitoring_results
        WHERE verifier_retry_at IS NOT NULL AND verifier_retry_at <= ? ORDER BY verifier_retry_at LIMIT ?`,
  args: [now, limit],
});

/** Claims a due check for its next attempt (one row changed when won); the retry time moves past the lease. */
export const claimCheck = (id: number, attempts: number, retryAt: number): InStatement => ({
  sql: "UPDATE monitoring_results SET verifier_attempts = ?, verifier_retry_at = ? WHERE id = ? AND verifier_status = 'unavailable' AND verifier_attempts = ?",
  args: [attempts, retryAt, id, attempts - 1],
});

/**
 * A check's answer on its claimed verdict; a flip to fail clears scores_written_at (and an
 * earlier refusal) so Langfuse gets the corrected scores.
 */
export const checkAnswered = (
  id: number,
  attempts: number,
  record: VerifierRecord,
  status: ResultRow["status"],
  unmet: string[],
  flipped: boolean,
): InStatement => ({
  sql: `UPDATE monitoring_results SET verifier_status = ?, verifier = ?, verifier_retry_at = ?, verification_status = ?, unmet = ?,
          scores_written_at = CASE WHEN ? THEN NULL ELSE scores_written_at END,
          scores_refused = CASE WHEN ? THEN NULL ELSE scores_refused END
        WHERE id = ? AND verifier_attempts = ?`,
  args: [
    record.status,
    verifierJson(record),
    record.retryAt,
    status,
    JSON.stringify(unmet),
    flipped ? 1 : 0,
    flipped ? 1 : 0,
    id,
    attempts,
  ],
});

const UNDIAGNOSED = "(diagnostic_status IS NULL OR (diagnostic_status = 'pending' AND diagnosed_at < ?))";

/** Failed and partial verdicts not diagnosed yet, or whose diagnosis claim is older than `staleBefore`, oldest first. */
export const undiagnosed = (staleBefore: number, limit: number): InStatement => ({
  sql: `SELECT id, session_id, verification_status, verdict_summary, unmet FROM monitoring_results
        WHERE verification_status IN ('fail', 'partial') AND ${UNDIAGNOSED}
        ORDER BY analyzed_at LIMIT ?`,
  args: [staleBefore, limit],
});

/** Claims a verdict for diagnosis (one row changed when won). */
export const claimDiagnosis = (id: number, now: number, staleBefore: number): InStatement => ({
  sql: `UPDATE monitoring_results SET diagnostic_status = 'pending', diagnosed_at = ? WHERE id = ? AND ${UNDIAGNOSED}`,
  args: [now, id, staleBefore],
});

/** Ends a diagnosis: complete with its report, or error with the reason in the report column. */
export const diagnosisEnded = (id: number, status: "complete" | "error", report: unknown, at: number): InStatement => ({
  sql: "UPDATE monitoring_results SET diagnostic_status = ?, diagnostic_report_json = ?, diagnosed_at = ? WHERE id = ?",
  args: [status, JSON.stringify(report), at, id],
});

/** Gives a diagnosis claim back unstarted. */
export const releaseDiagnosis = (id: number): InStatement => ({
  sql: "UPDATE monitoring_results SET diagnostic_status = NULL, diagnosed_at = NULL WHERE id = ?",
  args: [id],
});

/** Verdicts whose scores Langfuse has not had yet, oldest first. */
export const unscored = (limit: number): InStatement => ({
  sql: `SELECT id, session_id, verification_status, intent_type, verdict_summary, quality_flags, environment FROM monitoring_results
        WHERE scores_written_at IS NULL AND verification_status != 'error' ORDER BY analyzed_at, id LIMIT ?`,
  args: [limit],
});

/** Marks verdicts' scores as answered: accepted (no refusal) or refused with its reason. */
export const scoresSettled = (ids: number[], refusal: string | null, now: number): InStatement => ({
  sql: `UPDATE monitoring_results SET scores_written_at = ?, scores_refused = ? WHERE id IN (${ids.map(() => "?").join(",")})`,
  args: [now, refusal, ...ids],
});

/** How many of `sessionIds` already have a verdict. */
export const sessionsWithVerdicts = (sessionIds: string[]): InStatement => ({
  sql: "SELECT COUNT(DISTINCT session_id) AS n FROM monitoring_results WHERE session_id IN (SELECT value FROM json_each(?))",
  args: [JSON.stringify(sessionIds)],
});

/**
 * A seed verdict as version 1 of its session, unless the session has a verdict already. It counts
 * as written back (the seed's own system owned its Langfuse scores); `diagnosis` is how it is
 * stored (the caller closes one the seed never diagnosed).
 */
export const seedVerdictInsert = (
  v: SeedVerdict,
  diagnosis: { status: string | null; report: string | null; at: number | null },
): InStatement => ({
  sql: `INSERT INTO monitoring_results (session_id, activity_version, intent_type, intent_confidence, verification_status,
          verdict_summary, diagnostic_status, diagnostic_report_json, analyzed_at, diagnosed_at, model, scores_written_at)
        SELECT ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, 'seed-import', ?
        WHERE NOT EXISTS (SELECT 1 FROM monitoring_results WHERE session_id = ?)`,
  args: [
    v.sessionId,
    v.intentType,
    v.intentConfidence,
    v.status,
    v.summary,
    diagnosis.status,
    diagnosis.report,
    v.analyzedAt,
    diagnosis.at,
    v.analyzedAt,
    v.sessionId,
  ],
});

/**
 * The keys conversation cost is grouped by, each a column expression of monitoring_results:
 * another key is one more entry here, and every reader groups by it (cost by release is read
 * with the release's verdicts, verdictsByRelease; cost by hour from the quarter hours, outcomes.ts).
 */
const COST_GROUPS = {
  all: "''",
  environment: "COALESCE(environment, '')",
} as const satisfies Record<string, string>;
export type CostGrouping = keyof typeof COST_GROUPS;

/** Per key of `by`, the verdicts of [from, to): how many, how many with a measured cost, the fulfilled among those, the bot's and the judge's dollars. */
export const costByKey = (
  by: CostGrouping,
  from: number,
  to: number,
): Query<{ key: string; conversations: number; measured: number; fulfilled: number; botUsd: number | null; judgeUsd: number }[]> => ({
  statement: {
    sql: `SELECT ${COST_GROUPS[by]} AS key, COUNT(*) AS conversations, COUNT(conversation_cost_usd) AS measured,
            COALESCE(SUM(verification_status = 'pass' AND conversation_cost_usd IS NOT NULL), 0) AS fulfilled,
            SUM(conversation_cost_usd) AS bot_usd, COALESCE(SUM(cost_usd), 0) AS judge_usd
          FROM monitoring_results WHERE analyzed_at >= ? AND analyzed_at < ? GROUP BY 1 ORDER BY 1`,
    args: [from, to],
  },
  map: (rs) =>
    rs.rows.map((r) => ({
      key: String(r.key),
      conversations: Number(r.conversations),
      measured: Number(r.measured),
      fulfilled: Number(r.fulfilled),
      botUsd: r.bot_usd === null ? null : Number(r.bot_usd),
      judgeUsd: Number(r.judge_usd),
    })),
});

// Samples are binned to a micro-dollar: the rank test needs order and ties, not every digit, and
// a week of conversations is read as at most one row per distinct amount.
const BIN_DIGITS = 6;

/**
 * Measured conversation costs in [from, to) or, with `days`, in the same hours of each of the
 * `days` days before it (a baseline), as ascending amounts with how many conversations cost each.
 */
export function conversationCostSamples(from: number, to: number, days?: number): Query<{ usd: number; n: number }[]> {
  const within = inRanges("analyzed_at", windowRanges(from, to, days));
  return {
    statement: {
      sql: `SELECT ROUND(conversation_cost_usd, ${BIN_DIGITS}) AS usd, COUNT(*) AS n FROM monitoring_results
            WHERE (${within.sql}) AND conversation_cost_usd IS NOT NULL GROUP BY 1 ORDER BY 1`,
      args: within.args,
    },
    map: (rs) => rs.rows.map((r) => ({ usd: Number(r.usd), n: Number(r.n) })),
  };
}

/**
 * The ragged edges of verdict_outcomes_15m's ranges (under a quarter hour at each end), read from
 * the verdicts in the rollup's columns: category, judged, unfulfilled, flagged, then one sum per flag.
 */
export function outcomeEdges(flags: readonly string[], edges: readonly Range[]): SqlPart {
  const within = inRanges("analyzed_at", edges);
  const sums = flags.map((f) => `COALESCE(SUM(json_extract(quality_flags, '$.${f}')), 0)`).join(", ");
  return {
    sql: `SELECT COALESCE(json_extract(diagnostic_report_json, '$.category'), ''), SUM(verification_status IN ('pass', 'fail', 'partial')),
            SUM(verification_status IN ('fail', 'partial')), SUM(quality_flags IS NOT NULL), ${sums}
          FROM monitoring_results WHERE ${within.sql} GROUP BY 1`,
    args: within.args,
  };
}

/** Completed diagnoses by category in the edges: category, count. */
export function diagnosedEdges(edges: readonly Range[]): SqlPart {
  const within = inRanges("analyzed_at", edges);
  return {
    sql: `SELECT COALESCE(json_extract(diagnostic_report_json, '$.category'), ''), COUNT(*) FROM monitoring_results
          WHERE diagnostic_status = 'complete' AND (${within.sql}) GROUP BY 1`,
    args: within.args,
  };
}

/** Conversation cost by hour in the edges: hour, conversations, measured, fulfilled among them, the bot's and the judge's dollars. */
export function costEdges(edges: readonly Range[]): SqlPart {
  const within = inRanges("analyzed_at", edges);
  return {
    sql: `SELECT (analyzed_at / ${HOUR}) * ${HOUR}, COUNT(*), COUNT(conversation_cost_usd),
            COALESCE(SUM(verification_status = 'pass' AND conversation_cost_usd IS NOT NULL), 0), SUM(conversation_cost_usd), COALESCE(SUM(cost_usd), 0)
          FROM monitoring_results WHERE ${within.sql} GROUP BY 1`,
    args: within.args,
  };
}

/** The judged verdicts of one Langfuse release over a window. */
export interface ReleaseVerdicts {
  release: string;
  /** The first verdict of the release in the window. */
  firstAt: number;
  pass: number;
  fail: number;
  partial: number;
  /** Of the judged, those whose cost Langfuse knew, the fulfilled among them, and what they cost the bot (USD). */
  costMeasured: number;
  costFulfilled: number;
  costUsd: number | null;
  /** The Langfuse versions and prompts ("name vN") its judged conversations carried. */
  versions: string[];
  prompts: string[];
}

// A few are enough to say which: a release judged under many prompt versions lists its first ones.
const SHOWN = 5;
const names = (json: unknown): string[] =>
  (JSON.parse(String(json)) as (string | null)[])
    .filter((v): v is string => v !== null)
    .sort()
    .slice(0, SHOWN);

/**
 * Judged verdicts (pass, fail, partial) of [from, to) by the release of the conversation they
 * judged; verdicts without a release are not counted. Named index: the planner would otherwise
 * take the status index and look up every verdict of the window; the partial index of migration 23
 * holds only verdicts with a release and every column read here.
 */
export const verdictsByRelease = (from: number, to: number): Query<ReleaseVerdicts[]> => ({
  statement: {
    sql: `SELECT release, MIN(analyzed_at) AS first, SUM(verification_status = 'pass') AS pass,
            SUM(verification_status = 'fail') AS fail, SUM(verification_status = 'partial') AS partial,
            COUNT(conversation_cost_usd) AS cost_measured, SUM(conversation_cost_usd) AS cost_usd,
            SUM(verification_status = 'pass' AND conversation_cost_usd IS NOT NULL) AS cost_fulfilled,
            json_group_array(DISTINCT release_version) AS versions, json_group_array(DISTINCT prompt) AS prompts
          FROM monitoring_results INDEXED BY monitoring_results_release
          WHERE release IS NOT NULL AND analyzed_at >= ? AND analyzed_at < ? AND verification_status IN ('pass', 'fail', 'partial')
          GROUP BY release`,
    args: [from, to],
  },
  map: (rs) =>
    rs.rows.map((r) => ({
      release: String(r.release),
      firstAt: Number(r.first),
      pass: Number(r.pass),
      fail: Number(r.fail),
      partial: Number(r.partial),
      costMeasured: Number(r.cost_measured),
      costFulfilled: Number(r.cost_fulfilled),
      costUsd: r.cost_usd === null ? null : Number(r.cost_usd),
      versions: names(r.versions),
      prompts: names(r.prompts),
    })),
});
