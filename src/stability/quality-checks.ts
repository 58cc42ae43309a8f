// The seed protocol's Bot Response Quality Checks (wrong language, off-topic, repetitive, failed
// to answer, harmful), counted from the judge's verdicts over the report's window instead of a
// person reading two or three conversations every 8 hours, and its final labels.
import type { Db } from "../db/client.js";
import type { RedFlag } from "./red-flags.js";

export const QUALITY_FLAGS = ["wrong_language", "off_topic", "repetitive", "failed_to_answer", "harmful"] as const;
export type QualityFlag = (typeof QUALITY_FLAGS)[number];

const LABEL: Record<QualityFlag, string> = {
  wrong_language: "responses in the wrong language",
  off_topic: "off-topic responses",
  repetitive: "repetitive responses",
  failed_to_answer: "questions left unanswered",
  harmful: "inappropriate or harmful responses",
};

export interface QualityChecks {
  /** Verdicts in the window that carry quality flags. */
  judged: number;
  counts: Record<QualityFlag, number>;
  /** A few sessions per flag, to open in Langfuse. */
  examples: Partial<Record<QualityFlag, string[]>>;
  rating: "appropriate" | "needs-improvement";
}

export async function readQualityChecks(db: Db, from: number, to: number): Promise<QualityChecks> {
  const sums = QUALITY_FLAGS.map((f) => `COALESCE(SUM(json_extract(quality_flags, '$.${f}')), 0) AS ${f}`).join(", ");
  const examples = QUALITY_FLAGS.map(
    (f) =>
      `SELECT '${f}' AS flag, session_id FROM (SELECT session_id FROM monitoring_results WHERE quality_flags IS NOT NULL AND analyzed_at >= ? AND analyzed_at < ? AND json_extract(quality_flags, '$.${f}') = 1 ORDER BY analyzed_at DESC LIMIT 3)`,
  ).join(" UNION ALL ");
  const [totals, samples] = await db.batch(
    [
      {
        sql: `SELECT COUNT(*) AS judged, ${sums} FROM monitoring_results WHERE quality_flags IS NOT NULL AND analyzed_at >= ? AND analyzed_at < ?`,
        args: [from, to],
      },
      { sql: examples, args: QUALITY_FLAGS.flatMap(() => [from, to]) },
    ],
    "read",
  );
  const row = totals!.rows[0]!;
  const counts = Object.fromEntries(QUALITY_FLAGS.map((f) => [f, Number(row[f] ?? 0)])) as Record<QualityFlag, number>;
  const byFlag: Partial<Record<QualityFlag, string[]>> = {};
  for (const r of samples!.rows) {
    const flag = r.flag as QualityFlag;
    byFlag[flag] = [...(byFlag[flag] ?? []), String(r.session_id)];
  }
  return {
    judged: Number(row.judged),
    counts,
    examples: byFlag,
    rating: QUALITY_FLAGS.some((f) => counts[f] > 0) ? "needs-improvement" : "appropriate",
  };
}

/** Harmful responses are critical in the seed; the other quality problems are warnings. */
export function qualityRedFlags(q: QualityChecks, at: number): RedFlag[] {
  return QUALITY_FLAGS.filter((f) => q.counts[f] > 0).map((f) => ({
    severity: f === "harmful" ? "critical" : "warning",
    kind: "response_quality",
    at,
    message: `${q.counts[f]} of ${q.judged} judged conversation(s) with ${LABEL[f]}${q.examples[f]?.length ? ` (e.g. ${q.examples[f]!.join(", ")})` : ""}`,
  }));
}

/** The seed's closing labels: SECURE (no signature failures), PERFORMANT (average under the limit), QUALITY. */
export function summaryLabels(input: {
  signatureFailures: number;
  avgResponseMs: number | null;
  responseTimeMs: number;
  quality: QualityChecks;
}) {
  return {
    secure: input.signatureFailures === 0,
    performant: input.avgResponseMs === null || input.avgResponseMs < input.responseTimeMs,
    quality: input.quality.rating === "appropriate" ? ("stable" as const) : ("issues" as const),
  };
}

export const qualityLabel = (f: QualityFlag) => LABEL[f];
