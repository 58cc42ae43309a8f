import type { ScriptedReply, ScriptRequest } from "../fakes/openai-server.js";
import type { Fixture } from "../test/fixtures/conversations.js";
import { firstCallerLine } from "../test/fixtures/to-observations.js";

// The demo's judge is the OpenAI fake the tests use, with this script: it recognises a labelled
// conversation (test/fixtures/conversations.ts) by its caller's first line and answers what a
// careful model would, the labels the conversation was written with.

const FIXES: Record<string, string> = {
  tool_error: "Retry the scheduling call once and tell the caller what happened instead of asking them to call back.",
  integration_failure: "Check the tool's result before confirming: the bot confirmed an action the system refused.",
  knowledge_gap: "Add parking and directions to the knowledge base.",
  prompt_or_policy: "Let the bot confirm bookings itself when a slot is free instead of promising a call back.",
  caller_behavior: "Ask for the appointment's date once, then offer to look it up by phone number.",
  speech_recognition: "Read the date back as a number and ask the caller to confirm it before booking.",
};

/** The quality flags the requested schema asks for (read from it, so a new flag never breaks the demo). */
function qualityFlags(schema: unknown): string[] {
  const quality = (schema as { properties?: { quality?: { properties?: Record<string, unknown> } } } | undefined)?.properties?.quality
    ?.properties;
  return Object.keys(quality ?? { wrong_language: 0, off_topic: 0, repetitive: 0, failed_to_answer: 0 });
}

function answer(task: string, user: string, conversations: Fixture[], schema: unknown): unknown {
  const c = conversations.find((x) => user.includes(firstCallerLine(x)));
  const bot = c?.turns.filter((t) => t.startsWith("B:")).map((t) => t.slice(2)) ?? [];
  const tool = c?.turns.find((t) => t.startsWith("T:") && t.includes('"error"'))?.split("|")[2];
  if (task === "intent")
    return {
      intent: c?.intent ?? "unknown",
      confidence: c && c.intent !== "unknown" ? 0.94 : 0.3,
      summary: c ? `The caller wanted to ${c.intent.replace(/_/g, " ")}.` : "No clear request.",
    };
  if (task === "fulfillment") {
    // A conversation labelled skipped is never judged (its intent is unknown); asked anyway, it failed.
    const status = c?.verdict === undefined || c.verdict === "skipped" ? "fail" : c.verdict;
    return {
      status,
      summary:
        status === "pass"
          ? "Done and confirmed to the caller."
          : status === "partial"
            ? "Started but not confirmed."
            : "The request was not fulfilled.",
      evidence: bot.slice(-1),
      unmet: status === "pass" ? [] : ["the caller's request"],
      quality: Object.fromEntries(
        qualityFlags(schema).map((flag) => [
          flag,
          flag === "failed_to_answer"
            ? status === "fail"
            : flag === "repetitive"
              ? bot.length > 1 && new Set(bot).size < bot.length
              : false,
        ]),
      ),
      facts: { booked_at: null, confirmation_number: /\b(BK|RS)-\d+\b/.exec(bot.join(" "))?.[0] ?? null, caller_name: null },
    };
  }
  if (task === "diagnosis") {
    const category = c?.category ?? "other";
    return {
      category,
      explanation: `Root cause: ${category.replace(/_/g, " ")}.`,
      evidence: [tool ?? bot.at(-1) ?? ""],
      suggested_fix: FIXES[category] ?? "Review the conversation.",
      severity: category === "integration_failure" ? "high" : "medium",
    };
  }
  return { error: `unknown task ${task}` };
}

/** The script for the OpenAI fake (fakes/openai-server.ts) that plays the demo's judge. */
export function demoJudgeScript(conversations: Fixture[]) {
  return (task: string, user: string, request: ScriptRequest): ScriptedReply => ({
    json: answer(task, user, conversations, request.schema),
  });
}
