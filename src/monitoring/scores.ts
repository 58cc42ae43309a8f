import { createHash } from "node:crypto";
import type { Db } from "../db/client.js";
import type { RequestGate, SessionScore, TraceSource } from "../integrations/langfuse.js";
import { scoresSettled, unscored } from "./store/results.js";

/** Stable per session and score name, so writing again updates the score instead of adding one. */
export const scoreId = (sessionKey: string, name: string) =>
  `vigil-${createHash("sha256").update(`${sessionKey}:${name}`).digest("hex").slice(0, 32)}`;

interface ScoredRow {
  sessionId: string;
  status: string;
  intent: string | null;
  summary: string | null;
  quality: Record<string, boolean> | null;
  environment: string | null;
}

/** Why a verdict has no score target: Langfuse takes exactly one non-empty trace, session or dataset run. */
const NO_TARGET = "no target: the conversation has neither a session id nor a trace id";

/**
 * The score's one target (packages/shared/src/utils/scores.ts applyScoreValidation: exactly one
 * of traceId, sessionId, datasetRunId, and "" counts as none), or undefined when there is none.
 */
function scoreTarget(sessionKey: string): { traceId: string } | { sessionId: string } | undefined {
  if (sessionKey.startsWith("trace:")) {
    const traceId = sessionKey.slice("trace:".length).trim();
    return traceId ? { traceId } : undefined;
  }
  return sessionKey.trim() ? { sessionId: sessionKey } : undefined;
}

function scoresFor(r: ScoredRow): SessionScore[] | undefined {
  const target = scoreTarget(r.sessionId);
  if (!target) return undefined;
  const score = (name: string, value: string | number, dataType: SessionScore["dataType"], comment?: string): SessionScore => ({
    id: scoreId(r.sessionId, name),
    ...target,
    name,
    value,
    dataType,
    ...(comment ? { comment } : {}),
    ...(r.environment ? { environment: r.environment } : {}),
  });
  const scores = [score("vigil_fulfillment", r.status, "CATEGORICAL", r.summary ?? undefined)];
  if (r.intent) scores.push(score("vigil_intent", r.intent, "CATEGORICAL"));
  for (const [flag, on] of Object.entries(r.quality ?? {})) scores.push(score(`vigil_quality_${flag}`, on ? 1 : 0, "BOOLEAN"));
  return scores;
}

interface Pending {
  /** The result rows this write settles: the session's newest verdict and the older ones it replaces. */
  ids: number[];
  scores: SessionScore[] | undefined;
}

export interface ScoreFlush {
  written: number;
  /** Scores not sent or not taken this time (budget, a 5xx): sent again next cycle. */
  failed: number;
  /** Verdicts whose scores Langfuse refused (400) or that have no target: never sent again. */
  refused: number;
  reasons: string[];
}

/**
 * Writes the scores of verdicts that have none in Langfuse yet, oldest first, in ingestion
 * batches. Only a session's newest unscored verdict is sent: two events for one score id in a
 * batch with equal timestamps are applied newest-first by Langfuse's worker
 * (worker/src/services/IngestionService/index.ts toTimeSortedEventList: its comparator answers -1
 * for two creates, which reverses them), so the older verdict would persist. A verdict is settled
 * when each of its scores was accepted or refused; a refusal (400 inside the 207) is kept with its
 * reason and not sent again, so refused verdicts never fill the pending window. Scores not sent
 * (budget) or not taken (5xx) go again next cycle under the same ids, which Langfuse upserts.
 */
export async function flushScores(db: Db, source: TraceSource, gate: RequestGate, now: number, limit = 500): Promise<ScoreFlush> {
  const rs = await db.execute(unscored(limit));
  const none: ScoreFlush = { written: 0, failed: 0, refused: 0, reasons: [] };
  if (rs.rows.length === 0) return none;
  const bySession = new Map<string, Pending>();
  for (const row of rs.rows) {
    const sessionId = String(row.session_id);
    const earlier = bySession.get(sessionId)?.ids ?? [];
    // Rows come oldest first: the last one seen is the newest verdict.
    bySession.delete(sessionId);
    bySession.set(sessionId, {
      ids: [...earlier, Number(row.id)],
      scores: scoresFor({
        sessionId,
        status: String(row.verification_status),
        intent: row.intent_type === null ? null : String(row.intent_type),
        summary: row.verdict_summary === null ? null : String(row.verdict_summary),
        quality: row.quality_flags === null ? null : (JSON.parse(String(row.quality_flags)) as Record<string, boolean>),
        environment: row.environment === null ? null : String(row.environment),
      }),
    });
  }
  const pending = [...bySession.values()];
  const untargeted = pending.filter((p) => !p.scores);
  const sendable = pending.filter((p): p is Pending & { scores: SessionScore[] } => p.scores !== undefined);
  if (untargeted.length > 0) await settle(db, untargeted, NO_TARGET, now);

  let result: Awaited<ReturnType<TraceSource["writeScores"]>> = { written: [], failed: [] };
  try {
    if (sendable.length > 0)
      result = await source.writeScores(
        sendable.flatMap((p) => p.scores),
        gate,
        now,
      );
  } catch (error) {
    // Batches accepted before the failure stay written.
    const written = new Set((error as { written?: string[] }).written ?? []);
    await settleAnswered(db, sendable, written, new Map(), now);
    throw error;
  }
  const refusals = new Map(result.failed.filter((f) => f.refused).map((f) => [f.id, f.reason]));
  const written = new Set(result.written.filter((id) => !refusals.has(id)));
  const refusedVerdicts = await settleAnswered(db, sendable, written, refusals, now);
  const reasons = [
    ...(untargeted.length ? [NO_TARGET] : []),
    ...new Set(result.failed.map((f) => (f.refused ? `refused: ${f.reason}` : f.reason))),
  ];
  return {
    written: written.size,
    failed: result.failed.length - refusals.size,
    refused: refusedVerdicts + untargeted.length,
    reasons: reasons.slice(0, 3),
  };
}

/** Settles each verdict whose every score was accepted or refused; one with a refusal keeps its reason. Returns how many were refused. */
async function settleAnswered(
  db: Db,
  sendable: (Pending & { scores: SessionScore[] })[],
  written: Set<string>,
  refusals: Map<string, string>,
  now: number,
): Promise<number> {
  const accepted: Pending[] = [];
  const refused = new Map<string, Pending[]>();
  for (const p of sendable) {
    if (!p.scores.every((s) => written.has(s.id) || refusals.has(s.id))) continue;
    const reason = p.scores.map((s) => refusals.get(s.id)).find((r) => r !== undefined);
    if (reason === undefined) accepted.push(p);
    else refused.set(reason, [...(refused.get(reason) ?? []), p]);
  }
  await settle(db, accepted, null, now);
  for (const [reason, ps] of refused) await settle(db, ps, reason, now);
  return [...refused.values()].reduce((n, ps) => n + ps.length, 0);
}

async function settle(db: Db, pending: Pending[], refusal: string | null, now: number) {
  const ids = pending.flatMap((p) => p.ids);
  if (ids.length === 0) return;
  await db.execute(scoresSettled(ids, refusal, now));
}
