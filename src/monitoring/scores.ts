import { createHash } from "node:crypto";
import type { Db } from "../db/client.js";
import type { RequestGate, SessionScore, TraceSource } from "../integrations/langfuse.js";

/** Stable per session and score name, so writing again updates the score instead of adding one. */
export const scoreId = (sessionKey: string, name: string) =>
  `vigil-${createHash("sha256").update(`${sessionKey}:${name}`).digest("hex").slice(0, 32)}`;

interface ScoredRow {
  id: number;
  sessionId: string;
  status: string;
  intent: string | null;
  summary: string | null;
  quality: Record<string, boolean> | null;
}

function scoresFor(r: ScoredRow): SessionScore[] {
  const target = r.sessionId.startsWith("trace:") ? { traceId: r.sessionId.slice("trace:".length) } : { sessionId: r.sessionId };
  const score = (name: string, value: string | number, dataType: SessionScore["dataType"], comment?: string): SessionScore => ({
    id: scoreId(r.sessionId, name),
    ...target,
    name,
    value,
    dataType,
    ...(comment ? { comment } : {}),
  });
  const scores = [score("vigil_fulfillment", r.status, "CATEGORICAL", r.summary ?? undefined)];
  if (r.intent) scores.push(score("vigil_intent", r.intent, "CATEGORICAL"));
  for (const [flag, on] of Object.entries(r.quality ?? {})) scores.push(score(`vigil_quality_${flag}`, on ? 1 : 0, "BOOLEAN"));
  return scores;
}

/**
 * Writes the scores of verdicts that have none in Langfuse yet, oldest first, in ingestion
 * batches. A verdict is marked written only when every one of its scores was accepted; the
 * refused ones (207) and the ones the budget did not reach are sent again by a later cycle
 * with the same deterministic ids, so Langfuse updates instead of adding.
 */
export async function flushScores(
  db: Db,
  source: TraceSource,
  gate: RequestGate,
  now: number,
  limit = 500,
): Promise<{ written: number; failed: number; reasons: string[] }> {
  const rs = await db.execute({
    sql: `SELECT id, session_id, verification_status, intent_type, verdict_summary, quality_flags FROM monitoring_results
          WHERE scores_written_at IS NULL AND verification_status != 'error' ORDER BY analyzed_at, id LIMIT ?`,
    args: [limit],
  });
  if (rs.rows.length === 0) return { written: 0, failed: 0, reasons: [] };
  const byResult = rs.rows.map((row) => ({
    id: Number(row.id),
    scores: scoresFor({
      id: Number(row.id),
      sessionId: String(row.session_id),
      status: String(row.verification_status),
      intent: row.intent_type === null ? null : String(row.intent_type),
      summary: row.verdict_summary === null ? null : String(row.verdict_summary),
      quality: row.quality_flags === null ? null : (JSON.parse(String(row.quality_flags)) as Record<string, boolean>),
    }),
  }));
  // One session can have several unscored versions: the newest verdict's value is sent last.
  let result: Awaited<ReturnType<TraceSource["writeScores"]>>;
  try {
    result = await source.writeScores(
      byResult.flatMap((r) => r.scores),
      gate,
      now,
    );
  } catch (error) {
    // Batches accepted before the failure stay written.
    await markWritten(db, byResult, new Set((error as { written?: string[] }).written ?? []), now);
    throw error;
  }
  const refused = new Set(result.failed.map((f) => f.id));
  await markWritten(db, byResult, new Set(result.written.filter((id) => !refused.has(id))), now);
  return {
    written: result.written.length,
    failed: result.failed.length,
    reasons: [...new Set(result.failed.map((f) => f.reason))].slice(0, 3),
  };
}

async function markWritten(db: Db, byResult: { id: number; scores: SessionScore[] }[], written: Set<string>, now: number) {
  const done = byResult.filter((r) => r.scores.every((sc) => written.has(sc.id))).map((r) => r.id);
  if (done.length === 0) return;
  await db.execute({
    sql: `UPDATE monitoring_results SET scores_written_at = ? WHERE id IN (${done.map(() => "?").join(",")})`,
    args: [now, ...done],
  });
}
