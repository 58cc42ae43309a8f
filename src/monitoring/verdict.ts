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
import { injectionAttempt, unsupportedEvidence } from "./transcript-guard.js";

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
    // A pass must rest on what the bot or a tool really said, whatever the model was told.
    const missing =
      fulfillment.evidence.length === 0 ? ["(no evidence quoted)"] : unsupportedEvidence(fulfillment.evidence, transcript.turns);
    if (missing.length > 0) {
      status = "partial";
      fulfillment.unmet.push(
        `judge's evidence not found in any bot or tool turn: ${missing.map((q) => JSON.stringify(q.slice(0, 120))).join(", ")}`,
      );
    }
  }
  return { status, intent, fulfillment: { ...fulfillment, status } };
}
