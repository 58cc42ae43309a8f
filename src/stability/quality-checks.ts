// How the report words the seed protocol's Bot Response Quality Checks (counted from the judge's
// verdicts by monitoring/quality-counts.ts), and its red flags (the closing labels are in report-checks.ts).
import { QUALITY_FLAGS, type QualityChecks, type QualityFlag } from "../monitoring/quality-counts.js";
import type { RedFlag } from "./red-flags.js";

const LABEL: Record<QualityFlag, string> = {
  wrong_language: "responses in the wrong language",
  off_topic: "off-topic responses",
  repetitive: "repetitive responses",
  failed_to_answer: "questions left unanswered",
  harmful: "inappropriate or harmful responses",
};

/** Harmful responses are critical in the seed; the other quality problems are warnings. */
export function qualityRedFlags(q: QualityChecks, at: number): RedFlag[] {
  return QUALITY_FLAGS.filter((f) => q.counts[f] > 0).map((f) => ({
    severity: f === "harmful" ? "critical" : "warning",
    kind: "response_quality",
    at,
    message: `${q.counts[f]} of ${q.judged} judged conversation(s) with ${LABEL[f]}${q.examples[f]?.length ? ` (e.g. ${q.examples[f]!.join(", ")})` : ""}`,
  }));
}

export const qualityLabel = (f: QualityFlag) => LABEL[f];
