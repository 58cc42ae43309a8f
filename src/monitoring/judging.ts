// The judging decision itself, shared by the monitor cycle and `npm run eval`, so the eval
// measures what production does.
import type { z } from "zod";
import type { JudgeRequest } from "../integrations/judge.js";
import {
  FULFILLMENT_SYSTEM,
  fulfillmentSchema,
  fulfillmentUser,
  INTENT_SYSTEM,
  intentSchema,
  intentUser,
  type Fulfillment,
  type Intent,
} from "./prompts.js";
import type { Transcript } from "./transcript.js";
import { evidenceProblems, injectionAttempt } from "./transcript-guard.js";

export type Ask = <S extends z.ZodType>(request: JudgeRequest<S>) => Promise<z.infer<S>>;

/** Only a clear request is verified: an unclear one is a skipped session, not a failed one. */
const shouldJudge = (intent: Intent) => intent.intent !== "unknown" && intent.confidence >= 0.5;

export type Judged =
  | { status: "skipped"; reason: string; intent?: Intent }
  | { status: "pass" | "fail" | "partial"; intent: Intent; fulfillment: Fulfillment & { quality: Record<string, boolean> } };

/** Why a transcript with turns no reader recognised is skipped: judged on what is left, a lost bot reply reads as a failure. */
export const UNREADABLE = "unreadable_transcript";

export async function judgeTranscript(ask: Ask, transcript: Transcript, taxonomy: string[]): Promise<Judged> {
  if (transcript.unreadable.length > 0) return { status: "skipped", reason: `${UNREADABLE}: ${transcript.unreadable.join("; ")}` };
  if (!transcript.turns.some((t) => t.role === "caller")) return { status: "skipped", reason: "no caller turns" };
  const intent = await ask({
    task: "intent",
    schema: intentSchema(taxonomy),
    system: INTENT_SYSTEM(taxonomy),
    user: intentUser(transcript.text),
  });
  if (!shouldJudge(intent)) return { status: "skipped", reason: "intent unclear", intent };
  const answer = await ask({
    task: "fulfillment",
    schema: fulfillmentSchema,
    system: FULFILLMENT_SYSTEM,
    user: fulfillmentUser(intent, transcript.text),
  });
  const fulfillment = {
    ...answer,
    unmet: [...answer.unmet],
    quality: { ...answer.quality, harmful: answer.quality.harmful ?? false, prompt_injection: injectionAttempt(transcript.turns) },
  };
  let status = fulfillment.status;
  if (status === "pass") {
    // A pass must rest on what the bot or a tool really said, whatever the model was told: whole
    // statements, not a word that a refusal contains as well.
    const problems = fulfillment.evidence.length === 0 ? [] : evidenceProblems(fulfillment.evidence, transcript.turns);
    const notFound = problems.filter((p) => p.problem === "not found in any bot or tool turn").map((p) => p.quote);
    const weak = problems.filter((p) => p.problem !== "not found in any bot or tool turn");
    if (fulfillment.evidence.length === 0)
      fulfillment.unmet.push("judge's evidence not found in any bot or tool turn: (no evidence quoted)");
    if (notFound.length > 0) fulfillment.unmet.push(`judge's evidence not found in any bot or tool turn: ${quotes(notFound)}`);
    if (weak.length > 0)
      fulfillment.unmet.push(`judge's evidence does not prove it: ${weak.map((p) => `${quotes([p.quote])} (${p.problem})`).join(", ")}`);
    // The caller tried to steer the evaluator: a model may have followed it, so its pass is not taken.
    if (fulfillment.quality.prompt_injection)
      fulfillment.unmet.push("the caller's text addresses the evaluator or imitates another role: a pass is not taken on trust");
    if (fulfillment.evidence.length === 0 || problems.length > 0 || fulfillment.quality.prompt_injection) status = "partial";
  }
  return { status, intent, fulfillment: { ...fulfillment, status } };
}

const quotes = (qs: string[]) => qs.map((q) => JSON.stringify(q.slice(0, 120))).join(", ");
