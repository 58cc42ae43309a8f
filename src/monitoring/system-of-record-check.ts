import { guarded, whenChanged } from "../db/guarded-batch.js";
import type { AnalysisContext } from "./context.js";
import { retryDelayMs } from "./deadline.js";
import type { Fulfillment } from "./prompts.js";
import type { ResultRow, VerifierRecord } from "./verdict-row.js";
import { hourlyCount, hourlyUncount } from "./store/hourly.js";
import { checkAnswered, claimCheck, dueChecks } from "./store/results.js";
import type { VerifierFacts, VerifierResult } from "../integrations/system-of-record.js";

export const factsOf = (f: Fulfillment): VerifierFacts => ({
  bookedAt: f.facts?.booked_at ?? null,
  confirmationNumber: f.facts?.confirmation_number ?? null,
  callerName: f.facts?.caller_name ?? null,
});

/** The judge's backoff, until MONITOR_MAX_ATTEMPTS. */
const retryAtFor = (attempts: number, now: number, maxAttempts: number) => (attempts >= maxAttempts ? null : now + retryDelayMs(attempts));

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
  // The claim below re-checks the status.
  const due = await deps.db.execute(dueChecks(now, limit));
  for (const row of due.rows) {
    if (deps.clock() >= ctx.deadline) break;
    const id = Number(row.id);
    const attempts = Number(row.verifier_attempts) + 1;
    const claim = await deps.db.execute(claimCheck(id, attempts, deps.clock() + s.leaseMs));
    if (claim.rowsAffected !== 1) continue;
    const stored = JSON.parse(String(row.verifier)) as { facts: VerifierFacts };
    const sessionId = String(row.session_id);
    const result = await verifier.verify({ sessionId, intent: String(row.intent_type), facts: stored.facts });
    const record = recordOf(result, stored.facts, attempts, deps.clock(), s.maxAttempts);
    const status = String(row.verification_status) as ResultRow["status"];
    const flip = contradicts(record, status);
    const unmet = [...(JSON.parse(String(row.unmet ?? "[]")) as string[]), ...(flip ? [unmetReason(record)] : [])];
    const intent = row.intent_type === null ? null : String(row.intent_type);
    const analyzedAt = Number(row.analyzed_at);
    const update = checkAnswered(id, attempts, record, flip ? "fail" : status, unmet, flip);
    // A flip moves the verdict's hourly count to fail: added there only if it was taken from its old status.
    const uncount = hourlyUncount(analyzedAt, intent, status);
    const countFail = hourlyCount(analyzedAt, intent, "fail");
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
