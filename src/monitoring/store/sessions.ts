// The one module with SQL for monitor_sessions (the analysis queue) and monitored_observations
// (the imported conversation rows a session is judged from).
import type { InStatement, InValue } from "@libsql/client";
import type { Db } from "../../db/client.js";
import { olderThan } from "../../db/query.js";
import type { MonitorSettings } from "../settings.js";

export interface ClaimedSession {
  sessionKey: string;
  activityVersion: number;
  attempts: number;
  holder: string;
}

/**
 * Finished sessions waiting for analysis, oldest activity first, plus claims left by a crashed
 * cycle. Finished means idle on source time (or ended by a marker) *and* read again after
 * Langfuse's read lag had passed its last activity (`settled`, from the import): a call still
 * running, whose spans Langfuse does not serve yet, is not judged half-way.
 */
export async function dueSessions(db: Db, s: MonitorSettings, now: number, limit: number, settled: number): Promise<string[]> {
  const rs = await db.execute({
    sql: `SELECT session_key FROM monitor_sessions
          WHERE (state = 'pending' AND next_attempt_at <= ? AND (last_activity <= ? OR ended = 1) AND last_activity < ?)
             OR (state = 'analyzing' AND lease_until < ?)
          ORDER BY last_activity LIMIT ?`,
    args: [now, now - s.idleMs, settled, now, limit],
  });
  return rs.rows.map((r) => String(r.session_key));
}

/**
 * Claims one session with a guarded write: only one of two overlapping cycles can win it, and a
 * crashed cycle's claim is taken over once its lease has expired. A takeover counts an attempt:
 * a session whose analysis kills its invocation (out of memory, past the platform's limit) comes
 * back with `attempts` above the cap, and the caller ends it as an error instead of trying again.
 */
export async function claimSession(
  db: Db,
  sessionKey: string,
  holder: string,
  now: number,
  leaseMs: number,
): Promise<ClaimedSession | undefined> {
  const rs = await db.execute({
    sql: `UPDATE monitor_sessions SET state = 'analyzing', lease_holder = ?, lease_until = ?, attempts = attempts + 1, updated_at = ?
          WHERE session_key = ? AND ((state = 'pending' AND next_attempt_at <= ?) OR (state = 'analyzing' AND lease_until < ?))
          RETURNING activity_version, attempts`,
    args: [holder, now + leaseMs, now, sessionKey, now, now],
  });
  const row = rs.rows[0];
  return row ? { sessionKey, holder, activityVersion: Number(row.activity_version), attempts: Number(row.attempts) } : undefined;
}

export type ClaimOutcome = "analyzed" | "skipped" | "error";

/**
 * The state change that ends a claim, the primary of a guarded batch (db/guarded-batch.ts): what
 * depends on it is written only if this claim was still ours. New activity that arrived during
 * the analysis sends the session back to pending for another verdict.
 */
export function finishClaim(claim: ClaimedSession, outcome: ClaimOutcome, now: number): InStatement {
  return {
    sql: `UPDATE monitor_sessions SET
            state = CASE WHEN activity_version = ? THEN ? ELSE 'pending' END,
            analyzed_version = ?, lease_holder = NULL, lease_until = 0, last_error = NULL, updated_at = ?
          WHERE session_key = ? AND lease_holder = ?`,
    args: [claim.activityVersion, outcome, claim.activityVersion, now, claim.sessionKey, claim.holder],
  };
}

/** Gives a claim back after a transient failure, to be retried later (or marked error after the last attempt). */
export function retryClaim(claim: ClaimedSession, retryAt: number, error: string, now: number, maxAttempts: number): InStatement {
  return {
    sql: `UPDATE monitor_sessions SET state = CASE WHEN attempts >= ? THEN 'error' ELSE 'pending' END,
            next_attempt_at = ?, lease_holder = NULL, lease_until = 0, last_error = ?, updated_at = ?
          WHERE session_key = ? AND lease_holder = ?`,
    args: [maxAttempts, retryAt, error, now, claim.sessionKey, claim.holder],
  };
}

/** Gives a claim back unused (the invocation ran out of time before a model call): no attempt is spent. */
export function releaseClaim(claim: ClaimedSession, now: number): InStatement {
  return {
    sql: `UPDATE monitor_sessions SET state = 'pending', attempts = max(0, attempts - 1), lease_holder = NULL, lease_until = 0, updated_at = ?
          WHERE session_key = ? AND lease_holder = ?`,
    args: [now, claim.sessionKey, claim.holder],
  };
}

/** Marks a pending session as not to be judged (outside the sample). */
export const skipSampledOut = (sessionKey: string, now: number): InStatement => ({
  sql: "UPDATE monitor_sessions SET state = 'skipped', last_error = 'sampled out', updated_at = ? WHERE session_key = ? AND state = 'pending'",
  args: [now, sessionKey],
});

/** Queues a session for a fresh verdict (kept beside the earlier ones); no row changes while it is being analysed. */
export const requestReanalysisUpdate = (sessionKey: string, now: number): InStatement => ({
  sql: `UPDATE monitor_sessions SET state = 'pending', activity_version = activity_version + 1, attempts = 0, next_attempt_at = 0, ended = 1, updated_at = ?
        WHERE session_key = ? AND state != 'analyzing'`,
  args: [now, sessionKey],
});

/** A session's row, and how many traces its observations came from: for one read batch. */
export const sessionReads = (sessionKey: string): [InStatement, InStatement] => [
  { sql: "SELECT * FROM monitor_sessions WHERE session_key = ?", args: [sessionKey] },
  { sql: "SELECT COUNT(DISTINCT trace_id) AS n FROM monitored_observations WHERE session_key = ?", args: [sessionKey] },
];

/**
 * Stores a page; an observation read again is not stored twice, but a cost Langfuse priced only
 * after the first read (its worker prices a generation when its usage arrives) is taken on the
 * second read, before the conversation is judged. Rows affected are the new rows plus those.
 */
export function insertObservations(rows: InValue[][]): InStatement {
  return {
    sql: `INSERT INTO monitored_observations (id, session_key, trace_id, start_time, data, ends_session, imported_at, cost_usd)
          VALUES ${rows.map(() => "(?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}
          ON CONFLICT (id) DO UPDATE SET cost_usd = excluded.cost_usd WHERE cost_usd IS NULL AND excluded.cost_usd IS NOT NULL`,
    args: rows.flat(),
  };
}

/**
 * For one read batch: the session already stored for each of `traces` (the rows of a trace
 * stored under a session), and which of `sessionTraces` were stored as a conversation of their
 * own (`trace:<id>`) before their session showed up.
 */
export const traceSessionReads = (traces: string[], sessionTraces: string[]): [InStatement, InStatement] => [
  {
    sql: `SELECT trace_id, min(session_key) AS session_key FROM monitored_observations
          WHERE trace_id IN (${traces.map(() => "?").join(",") || "NULL"}) AND session_key NOT LIKE 'trace:%' GROUP BY trace_id`,
    args: traces,
  },
  {
    sql: `SELECT session_key FROM monitor_sessions WHERE session_key IN (${sessionTraces.map(() => "?").join(",") || "NULL"})`,
    args: sessionTraces.map((t) => `trace:${t}`),
  },
];

/** Rows first stored under their trace alone join its session; the session's bookkeeping follows them. */
export function moveToSession(from: string, to: string, now: number): InStatement[] {
  return [
    { sql: "UPDATE monitored_observations SET session_key = ? WHERE session_key = ?", args: [to, from] },
    {
      sql: `INSERT INTO monitor_sessions (session_key, first_activity, last_activity, observation_count, ended, state, updated_at)
            SELECT ?, min(start_time), max(start_time), count(*), max(ends_session), 'pending', ? FROM monitored_observations
            WHERE session_key = ? HAVING count(*) > 0
            ON CONFLICT (session_key) DO UPDATE SET
              first_activity = excluded.first_activity, last_activity = excluded.last_activity,
              observation_count = excluded.observation_count, ended = max(ended, excluded.ended),
              activity_version = activity_version + 1,
              attempts = CASE WHEN state IN ('analyzed', 'skipped', 'error') THEN 0 ELSE attempts END,
              state = CASE WHEN state IN ('analyzed', 'skipped', 'error') THEN 'pending' ELSE state END,
              updated_at = excluded.updated_at`,
      args: [to, now, to],
    },
    // A claim on the trace alone is lost with it: its verdict is discarded, the session judged whole.
    { sql: "DELETE FROM monitor_sessions WHERE session_key = ?", args: [from] },
  ];
}

/** SQL: what a conversation cost the bot, the sum of its observations' Langfuse cost (NULL when none had one); its one argument the session key. */
export const CONVERSATION_COST = "(SELECT SUM(cost_usd) FROM monitored_observations WHERE session_key = ?)";

/** An observation's place in its session: (start_time, id). */
export type ObservationKey = [number, string];

/** Up to `limit` of a session's observations after `after` (from the start when undefined), oldest first. */
export const observationsAfter = (sessionKey: string, after: ObservationKey | undefined, limit: number): InStatement => ({
  sql: `SELECT id, start_time, data FROM monitored_observations
        WHERE session_key = ? AND (? IS NULL OR (start_time, id) > (?, ?)) ORDER BY start_time, id LIMIT ?`,
  args: [sessionKey, after?.[0] ?? null, after?.[0] ?? null, after?.[1] ?? null, limit],
});

/** Up to `limit` of a session's observations after `after` and before `before` (the end when undefined), newest first. */
export const observationsBefore = (
  sessionKey: string,
  after: ObservationKey,
  before: ObservationKey | undefined,
  limit: number,
): InStatement => ({
  sql: `SELECT id, start_time, data FROM monitored_observations
        WHERE session_key = ? AND (start_time, id) > (?, ?) AND (? IS NULL OR (start_time, id) < (?, ?))
        ORDER BY start_time DESC, id DESC LIMIT ?`,
  args: [sessionKey, after[0], after[1], before?.[0] ?? null, before?.[0] ?? null, before?.[1] ?? null, limit],
});

/** Imported conversation content, kept only as long as the raw webhook events (retention). */
export const oldObservations = olderThan("monitored_observations", "start_time");
