import { createHash } from "node:crypto";
import type { Db } from "../db/client.js";
import type { SessionScore, TraceSource } from "../integrations/langfuse.js";

/** Stable per session and score name, so writing again updates the score instead of adding one. */
export const scoreId = (sessionKey: string, name: string) => `vigil-${createHash("sha256").update(`${sessionKey}:${name}`).digest("hex").slice(0, 32)}`;

interface ScoredRow {
  id: number;
  sessionId: string;
  status: string;
  intent: string | null;
  summary: string | null;
  quality: Record<string, boolean> | null;
}

export function scoresFor(r: ScoredRow): SessionScore[] {
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

/** Writes a verdict's scores to Langfuse (awaited, errors surfaced) and marks them written. */
export async function writeScores(db: Db, source: TraceSource, resultId: number, now: number): Promise<number> {
  const rs = await db.execute({
    sql: "SELECT id, session_id, verification_status, intent_type, verdict_summary, quality_flags FROM monitoring_results WHERE id = ?",
    args: [resultId],
  });
  const row = rs.rows[0];
  if (!row) return 0;
  const scores = scoresFor({
    id: Number(row.id),
    sessionId: String(row.session_id),
    status: String(row.verification_status),
    intent: row.intent_type === null ? null : String(row.intent_type),
    summary: row.verdict_summary === null ? null : String(row.verdict_summary),
    quality: row.quality_flags === null ? null : (JSON.parse(String(row.quality_flags)) as Record<string, boolean>),
  });
  for (const score of scores) await source.writeScore(score);
  await db.execute({ sql: "UPDATE monitoring_results SET scores_written_at = ? WHERE id = ?", args: [now, resultId] });
  return scores.length;
}

/** Verdicts whose scores did not reach Langfuse yet (it was down), oldest first. */
export async function unscoredResults(db: Db, limit: number): Promise<number[]> {
  const rs = await db.execute({
    sql: "SELECT id FROM monitoring_results WHERE scores_written_at IS NULL AND verification_status != 'error' ORDER BY analyzed_at LIMIT ?",
    args: [limit],
  });
  return rs.rows.map((r) => Number(r.id));
}
