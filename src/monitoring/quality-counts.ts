// The seed protocol's Bot Response Quality Checks (wrong language, off-topic, repetitive, failed
// to answer, harmful), counted from the judge's verdicts over a window instead of a person reading
// two or three conversations every 8 hours.
import type { Db } from "../db/client.js";
import { qualityReads } from "./store/results.js";

export const QUALITY_FLAGS = ["wrong_language", "off_topic", "repetitive", "failed_to_answer", "harmful"] as const;
export type QualityFlag = (typeof QUALITY_FLAGS)[number];

export interface QualityChecks {
  /** Verdicts in the window that carry quality flags. */
  judged: number;
  counts: Record<QualityFlag, number>;
  /** A few sessions per flag, to open in Langfuse. */
  examples: Partial<Record<QualityFlag, string[]>>;
  rating: "appropriate" | "needs-improvement";
}

export async function readQualityChecks(db: Db, from: number, to: number): Promise<QualityChecks> {
  const [totals, samples] = await db.batch(qualityReads(QUALITY_FLAGS, from, to), "read");
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
