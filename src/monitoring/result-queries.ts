import type { Row } from "@libsql/client";
import type { Db } from "../db/client.js";
import { NotFoundError } from "../errors.js";
import { decodeCursor, encodeCursor } from "../shared/cursor.js";
import { hourOf, verdictsByIntentAndStatus } from "./store/hourly.js";
import { resultsPage, scoresRefusedCount, sessionVerdicts, unreadableCount, verifierOutcomes } from "./store/results.js";
import { requestReanalysisUpdate, sessionReads } from "./store/sessions.js";
import { topFailureCategories } from "./store/outcomes.js";
import { countTurns } from "./transcript-load.js";
import type { VerifierStatus } from "../integrations/system-of-record.js";

const json = (v: unknown) => (v === null || v === undefined ? null : JSON.parse(String(v)));
const text = (v: unknown) => (v === null || v === undefined ? null : String(v));
const maybeNumber = (v: unknown) => (v === null || v === undefined ? null : Number(v));

type VerdictStatus = "pass" | "fail" | "partial" | "error" | "skipped";
const VERIFIER_STATUSES = ["verified", "not_found", "unavailable"] as const satisfies readonly VerifierStatus[];

/** A verdict as the API shows it (times in epoch ms): never the transcript. */
function resultOf(r: Row) {
  return {
    id: Number(r.id),
    sessionId: String(r.session_id),
    version: Number(r.activity_version),
    intent:
      r.intent_type === null
        ? null
        : { type: String(r.intent_type), confidence: Number(r.intent_confidence), summary: text(r.intent_summary) },
    status: String(r.verification_status) as VerdictStatus,
    summary: text(r.verdict_summary),
    evidence: json(r.evidence) as string[] | null,
    unmet: json(r.unmet) as string[] | null,
    quality: json(r.quality_flags) as Record<string, boolean | null> | null,
    // The check's state, not the facts it sent (a caller's name stays in the database).
    verifier:
      r.verifier_status === null
        ? null
        : {
            status: String(r.verifier_status) as VerifierStatus,
            detail: (json(r.verifier) as { detail?: string } | null)?.detail ?? null,
            attempts: Number(r.verifier_attempts),
            retryAt: maybeNumber(r.verifier_retry_at),
          },
    diagnosis:
      r.diagnostic_status === null
        ? null
        : {
            status: String(r.diagnostic_status),
            report: json(r.diagnostic_report_json) as Record<string, unknown> | null,
            diagnosedAt: maybeNumber(r.diagnosed_at),
          },
    analyzedAt: Number(r.analyzed_at),
    model: text(r.model),
    tokens: { in: Number(r.tokens_in), out: Number(r.tokens_out) },
    costUsd: Number(r.cost_usd),
    attempts: Number(r.attempts),
    error: text(r.error),
    scoresWrittenAt: maybeNumber(r.scores_written_at),
  };
}
export type Verdict = ReturnType<typeof resultOf>;

export async function listResults(db: Db, q: { status?: VerdictStatus; intent?: string; since?: number; limit: number; cursor?: string }) {
  const after = q.cursor ? decodeCursor(q.cursor) : null;
  const rs = await db.execute(resultsPage(q, after));
  const rows = rs.rows.slice(0, q.limit);
  const last = rows.at(-1);
  return {
    results: rows.map(resultOf),
    nextCursor: rs.rows.length > q.limit && last ? encodeCursor(Number(last.analyzed_at), Number(last.id)) : null,
  };
}

export async function sessionDetail(db: Db, sessionId: string) {
  const [sessionRow, traceCount] = sessionReads(sessionId);
  const [session, results, traces] = await db.batch([sessionRow, sessionVerdicts(sessionId), traceCount], "read");
  const s = session!.rows[0];
  if (!s) throw new NotFoundError(`No monitored session "${sessionId}"`);
  return {
    sessionId,
    state: String(s.state),
    firstActivityAt: Number(s.first_activity),
    lastActivityAt: Number(s.last_activity),
    observations: Number(s.observation_count),
    traces: Number(traces!.rows[0]!.n),
    turns: await countTurns(db, sessionId),
    attempts: Number(s.attempts),
    lastError: s.last_error,
    verdicts: results!.rows.map(resultOf),
  };
}

/** Queues a session for a fresh verdict (kept beside the earlier ones). */
export async function requestReanalysis(db: Db, sessionId: string, now: number) {
  const rs = await db.execute(requestReanalysisUpdate(sessionId, now));
  if (rs.rowsAffected === 0) await sessionDetail(db, sessionId); // 404 when unknown
  return { sessionId, queued: rs.rowsAffected === 1 };
}

export async function monitoringSummary(db: Db, since: number) {
  const categories = topFailureCategories(since);
  const unreadable = unreadableCount(since);
  const refused = scoresRefusedCount(since);
  // Whole hours from the hourly counts (the first, partial hour counts whole).
  const byIntent = verdictsByIntentAndStatus(hourOf(since));
  const checks = verifierOutcomes(since);
  const [intentRows, categoryRows, checkRows, unreadableRows, refusedRows] = await db.batch(
    [byIntent.statement, categories.statement, checks.statement, unreadable.statement, refused.statement],
    "read",
  );
  const verifier: Record<VerifierStatus, number> = { verified: 0, not_found: 0, unavailable: 0 };
  for (const r of checks.map(checkRows!))
    if ((VERIFIER_STATUSES as readonly string[]).includes(r.status)) verifier[r.status as VerifierStatus] = r.n;
  const intents: Record<string, Partial<Record<VerdictStatus, number>>> = {};
  const totals: Record<string, number> = { pass: 0, fail: 0, partial: 0, skipped: 0, error: 0 };
  for (const r of byIntent.map(intentRows!)) {
    intents[r.intent] ??= {};
    intents[r.intent]![r.status as VerdictStatus] = r.n;
    totals[r.status] = (totals[r.status] ?? 0) + r.n;
  }
  const judged = totals.pass! + totals.fail! + totals.partial!;
  const rate = (n: number, d: number) => (d > 0 ? n / d : null);
  return {
    totals,
    passRate: rate(totals.pass!, judged),
    failRate: rate(totals.fail!, judged),
    partialRate: rate(totals.partial!, judged),
    byIntent: Object.entries(intents).map(([intent, c]) => {
      const d = (c.pass ?? 0) + (c.fail ?? 0) + (c.partial ?? 0);
      return { intent, ...c, passRate: rate(c.pass ?? 0, d), failRate: rate(c.fail ?? 0, d), partialRate: rate(c.partial ?? 0, d) };
    }),
    topFailureCategories: categories.map(categoryRows!),
    /** System-of-record checks by outcome; `unavailable` verdicts stand as judged until a retry answers. */
    verifier,
    /** Sessions skipped, not judged, because their I/O shape was not readable (counted among `skipped`). */
    unreadable: unreadable.map(unreadableRows!),
    /** Verdicts whose scores Langfuse refused (kept with the reason, not sent again). */
    scoresRefused: refused.map(refusedRows!),
  };
}
