import type { InStatement } from "@libsql/client";
import { guarded, whenChanged, type Conditional } from "../db/guarded-batch.js";
import type { AnalysisContext } from "./analyze.js";
import type { Fulfillment } from "./prompts.js";
import type { ResultRow } from "./results.js";
import type { VerifierFacts, VerifierResult, VerifierStatus } from "../integrations/verifier.js";

/** A verdict's system-of-record check as stored: the facts are kept so a later cycle can ask again. */
export interface VerifierRecord {
  status: VerifierStatus;
  detail: string;
  facts: VerifierFacts;
  attempts: number;
  /** When an unavailable check is asked again; null when it will not be. */
  retryAt: number | null;
}

export const factsOf = (f: Fulfillment): VerifierFacts => ({
  bookedAt: f.facts?.booked_at ?? null,
  confirmationNumber: f.facts?.confirmation_number ?? null,
  callerName: f.facts?.caller_name ?? null,
});

/** The judge's backoff: 1, 2, 4 … minutes, i.e. the next cycles, until MONITOR_MAX_ATTEMPTS. */
const retryAtFor = (attempts: number, now: number, maxAttempts: number) =>
  attempts >= maxAttempts ? null : now + 60_000 * 2 ** (attempts - 1);

export function recordOf(result: VerifierResult, facts: VerifierFacts, attempts: number, now: number, maxAttempts: number): VerifierRecord {
  const retryAt = result.status === "unavailable" ? retryAtFor(attempts, now, maxAttempts) : null;
  const gaveUp = result.status === "unavailable" && retryAt === null;
  return {
    status: result.status,
    detail: gaveUp ? `gave up after ${attempts} attempts: ${result.detail}` : result.detail,
    facts,
    attempts,
    retryAt,
  };
}

/** Only "not found" changes a verdict: an unavailable verifier proves nothing, so the judge's verdict stands. */
export const contradicts = (record: VerifierRecord | null | undefined, status: ResultRow["status"]) =>
  record?.status === "not_found" && (status === "pass" || status === "partial");
export const unmetReason = (record: VerifierRecord) => `system of record: ${record.detail}`;

/**
 * Asks again for the verdicts whose check was unavailable. Each is claimed with a guarded write
 * (attempts moves on, and the retry time is pushed past the lease so a crashed cycle's claim is
 * taken over later). A "not found" turns the verdict into a failure in one batch with its hourly
 * counts, and clears scores_written_at (and an earlier refusal) so Langfuse gets the corrected scores.
 */
export async function retryUnavailableChecks(
  ctx: AnalysisContext,
  now: number,
  limit = 50,
): Promise<{ retried: number; contradicted: number }> {
  const { deps, settings: s, verifier } = ctx;
  const counts = { retried: 0, contradicted: 0 };
  if (!verifier) return counts;
  const log = deps.log.child({ job: "monitor" });
  // Only an unavailable check has a retry time (the partial index); the claim below re-checks the status.
  const due = await deps.db.execute({
    sql: `SELECT id, session_id, intent_type, verification_status, unmet, verifier, verifier_attempts, analyzed_at FROM monitoring_results
          WHERE verifier_retry_at IS NOT NULL AND verifier_retry_at <= ? ORDER BY verifier_retry_at LIMIT ?`,
    args: [now, limit],
  });
  for (const row of due.rows) {
    if (deps.clock() >= ctx.deadline) break;
    const id = Number(row.id);
    const attempts = Number(row.verifier_attempts) + 1;
    const claim = await deps.db.execute({
      sql: "UPDATE monitoring_results SET verifier_attempts = ?, verifier_retry_at = ? WHERE id = ? AND verifier_status = 'unavailable' AND verifier_attempts = ?",
      args: [attempts, deps.clock() + s.leaseMs, id, attempts - 1],
    });
    if (claim.rowsAffected !== 1) continue;
    const stored = JSON.parse(String(row.verifier)) as { facts: VerifierFacts };
    const sessionId = String(row.session_id);
    const result = await verifier.verify({ sessionId, intent: String(row.intent_type), facts: stored.facts });
    const record = recordOf(result, stored.facts, attempts, deps.clock(), s.maxAttempts);
    const status = String(row.verification_status) as ResultRow["status"];
    const flip = contradicts(record, status);
    const unmet = [...(JSON.parse(String(row.unmet ?? "[]")) as string[]), ...(flip ? [unmetReason(record)] : [])];
    const intent = row.intent_type === null ? "none" : String(row.intent_type);
    const hour = Math.floor(Number(row.analyzed_at) / 3600_000) * 3600_000;
    const update: InStatement = {
      sql: `UPDATE monitoring_results SET verifier_status = ?, verifier = ?, verifier_retry_at = ?, verification_status = ?, unmet = ?,
              scores_written_at = CASE WHEN ? THEN NULL ELSE scores_written_at END,
              scores_refused = CASE WHEN ? THEN NULL ELSE scores_refused END
            WHERE id = ? AND verifier_attempts = ?`,
      args: [
        record.status,
        verifierJson(record),
        record.retryAt,
        flip ? "fail" : status,
        JSON.stringify(unmet),
        flip ? 1 : 0,
        flip ? 1 : 0,
        id,
        attempts,
      ],
    };
    // A flip moves the verdict's hourly count to fail: added there only if it was taken from its old status.
    const uncount: Conditional = (when) => ({
      sql: `UPDATE monitoring_hourly SET n = n - 1 WHERE ${when} AND hour = ? AND intent = ? AND status = ?`,
      args: [hour, intent, status],
    });
    const countFail: Conditional = (when) => ({
      sql: `INSERT INTO monitoring_hourly (hour, intent, status, n) SELECT ?, ?, 'fail', 1 WHERE ${when}
            ON CONFLICT (hour, intent, status) DO UPDATE SET n = n + 1`,
      args: [hour, intent],
    });
    const statements = flip ? guarded(update, whenChanged(uncount, countFail)) : [update];
    await deps.db.batch(statements, "write");
    counts.retried++;
    if (flip) counts.contradicted++;
    const fields = { session_id: sessionId, attempt: attempts, verifier: record.status };
    if (flip) log.warn("system of record contradicts the verdict: now fail", { ...fields, was: status });
    else if (record.status === "unavailable")
      log.warn("system-of-record check still unavailable", { ...fields, reason: record.detail, retry: record.retryAt !== null });
    else log.info("system-of-record check done", fields);
  }
  return counts;
}

/** What the `verifier` column keeps: the answer and the facts asked about. */
export const verifierJson = (r: VerifierRecord) => JSON.stringify({ detail: r.detail, facts: r.facts });
