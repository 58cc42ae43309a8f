import type { InStatement } from "@libsql/client";
import type { Db } from "../../db/client.js";
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
