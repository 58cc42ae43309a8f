// A transcript is untrusted data: the caller can type anything, including lines that look like
// the bot's or a tool's, or notes addressed to the judge. Two checks that do not rely on the
// model obeying its instructions: quoted evidence must occur in what the bot or a tool really
// said, and caller text that imitates roles or instructs the evaluator is flagged.
import type { Turn } from "./transcript.js";

const normalize = (text: string) =>
  text
    .toLowerCase()
    .replace(/^\s*(bot|tool|assistant)\s*:\s*/, "")
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/^["'\s…]+|["'\s….]+$/g, "")
    .replace(/\s+/g, " ")
    .trim();

/** The quotes that do not occur in any bot or tool turn (a quote from the caller does not count). */
export function unsupportedEvidence(evidence: string[], turns: Turn[]): string[] {
  const said = turns.filter((t) => t.role !== "caller").map((t) => normalize(t.text));
  return evidence.filter((quote) => {
    const q = normalize(quote).slice(0, 300);
    return q.length === 0 || !said.some((text) => text.includes(q));
  });
}

const ROLE_MARKER = /(^|[\n\r]|[.!?]\s+|\s{2,})(bot|assistant|system|tool|agent|caller|user)\s*:/i;
const JSON_ROLE = /"role"\s*:\s*"(assistant|system|tool|bot)"/i;
const INSTRUCTIONS = [
  /\b(ignore|disregard|forget)\b.{0,40}\b(instructions?|previous|above|prompt|rules)\b/i,
  /\b(evaluator|grader|judge|reviewer|auditor|system)\s*(note|instruction|message|override)\b/i,
  /\b(report|mark|classify|rate|score)\b.{0,30}\b(as\s+)?(a\s+)?(pass|passed|success(ful)?|fulfilled)\b/i,
  /\byou are now\b/i,
];

/** Caller turns that imitate another role or address the evaluator: the `prompt_injection` quality flag. */
export function injectionAttempt(turns: Turn[]): boolean {
  return turns.some(
    (t) => t.role === "caller" && (ROLE_MARKER.test(t.text) || JSON_ROLE.test(t.text) || INSTRUCTIONS.some((re) => re.test(t.text))),
  );
}
