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

/** A quote shorter than this proves a pass only when it is a whole sentence of the turn. */
const MIN_EVIDENCE_CHARS = 20;

export type EvidenceProblem = "not found in any bot or tool turn" | "too short to prove anything" | "cut beside a negation";

// A quote that stops right where the sentence says the opposite ("rescheduling to Tuesday" | "is not available").
const NEGATION_AFTER =
  /^[\s,]*(?:(?:is|are|was|were|has|have|had|will|would|could|can|did|does|do)\s+)?(?:not|never|no longer|unavailable|impossible|failed)\b|^[\s,]*\w+n't\b/;
const NEGATION_BEFORE = /\b(?:not|never|cannot|unable to|failed to|\w+n't)\s*$/;
const SENTENCE_END = /[.!?\n]/;

/** How one occurrence of the quote stands in its sentence. */
function judgeOccurrence(text: string, at: number, q: string): "ok" | "short" | "negated" {
  let start = at;
  while (start > 0 && !SENTENCE_END.test(text[start - 1]!)) start--;
  let end = at + q.length;
  while (end < text.length && !SENTENCE_END.test(text[end]!)) end++;
  const before = text.slice(start, at);
  const after = text.slice(at + q.length, end);
  if (NEGATION_AFTER.test(after) || NEGATION_BEFORE.test(before)) return "negated";
  const wholeSentence = before.trim() === "" && after.trim() === "" && q.split(" ").length >= 3;
  return q.length >= MIN_EVIDENCE_CHARS || wholeSentence ? "ok" : "short";
}

/**
 * The quotes that cannot carry a pass: not said by the bot or a tool (a caller's text does not
 * count), too short to mean anything (a one-word quote occurs in a refusal as well), or cut
 * beside a negation that turns it around.
 */
export function evidenceProblems(evidence: string[], turns: Turn[]): { quote: string; problem: EvidenceProblem }[] {
  const said = turns.filter((t) => t.role !== "caller").map((t) => normalize(t.text));
  const problems: { quote: string; problem: EvidenceProblem }[] = [];
  for (const quote of evidence) {
    const q = normalize(quote).slice(0, 300);
    const seen = new Set<string>();
    for (const text of q ? said : [])
      for (let at = text.indexOf(q); at >= 0; at = text.indexOf(q, at + 1)) seen.add(judgeOccurrence(text, at, q));
    if (seen.has("ok")) continue;
    problems.push({
      quote,
      problem:
        seen.size === 0
          ? "not found in any bot or tool turn"
          : seen.has("negated")
            ? "cut beside a negation"
            : "too short to prove anything",
    });
  }
  return problems;
}

const ROLE_MARKER = /(^|[\n\r]|[.!?]\s+|\s{2,})(bot|assistant|system|tool|agent|caller|user)\s*:/i;
const JSON_ROLE = /"role"\s*:\s*"(assistant|system|tool|bot)"/i;
const INSTRUCTIONS = [
  /\b(ignore|disregard|forget)\b.{0,40}\b(instructions?|previous|above|prompt|rules)\b/i,
  /\b(evaluator|grader|judge|reviewer|auditor|system)\s*(note|instruction|message|override)\b/i,
  /\b(report|mark|classify|rate|score)\b.{0,30}\b(as\s+)?(a\s+)?(pass|passed|success(ful)?|fulfilled)\b/i,
  /\byou are now\b/i,
];

// The same moves in the other languages callers write in (es, fr, de, pt, it, ru, zh, ja): "ignore
// the instructions", "mark it as passed", and naming the evaluator at all. Word starts only in
// alphabets with spaces (stems cover the verb forms: "marque", "marquez"); CJK has no word starts.
const words = (list: string[]) => `(?<![\\p{Script=Latin}\\p{Script=Cyrillic}])(?:${list.join("|")})`;
const IGNORE = ["ignor", "vergiss", "olvid", "oubli", "dimentic", "esque[cç]", "игнорир", "забудь", "忽略", "无视", "無視"];
const INSTRUCTION = ["instruc", "instrukti", "anweisung", "istruzion", "consigne", "инструкц", "指令", "指示"];
const MARK = ["marc", "marqu", "markier", "segna", "classific", "bewerte", "отметь", "标记", "標記", "マーク"];
const SUCCESS = [
  "aprobad",
  "exitos",
  "cumplid",
  "réussi",
  "validé",
  "bestanden",
  "erfolgreich",
  "superat",
  "riuscit",
  "aprovad",
  "sucesso",
  "успешн",
  "пройден",
  "通过",
  "成功",
  "合格",
];
const EVALUATOR = ["evaluador", "évaluat", "bewerter", "prüfer", "valutator", "avaliador", "оценщик", "评估", "评审", "評価者", "审核员"];
const MULTILINGUAL = [
  new RegExp(`${words(IGNORE)}.{0,40}${words(INSTRUCTION)}`, "iu"),
  new RegExp(`${words(INSTRUCTION)}.{0,10}${words(IGNORE)}`, "iu"),
  new RegExp(`${words(MARK)}.{0,40}${words(SUCCESS)}`, "iu"),
  new RegExp(`${words(SUCCESS)}.{0,10}${words(MARK)}`, "iu"),
  new RegExp(words(EVALUATOR), "iu"),
];

/** Caller turns that imitate another role or address the evaluator: the `prompt_injection` quality flag. */
export function injectionAttempt(turns: Turn[]): boolean {
  return turns.some(
    (t) =>
      t.role === "caller" &&
      (ROLE_MARKER.test(t.text) || JSON_ROLE.test(t.text) || [...INSTRUCTIONS, ...MULTILINGUAL].some((re) => re.test(t.text))),
  );
}
