import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { secretsEqual } from "../security/constant-time.js";
import { type DemoConversation, openingLine } from "./conversations.js";

// A scripted judge behind OpenAI's chat completions API (openai/openai-node
// src/resources/chat/completions: POST /v1/chat/completions, Bearer key, the structured-output
// schema's name in response_format.json_schema.name, the JSON answer as the message content).
// It recognises a demo conversation by its caller's first line and answers what a careful
// model would: the labels the conversation was written with.

const FIXES: Record<string, string> = {
  tool_error: "Retry the scheduling call once and tell the caller what happened instead of asking them to call back.",
  integration_failure: "Check the tool's result before confirming: the bot confirmed an action the system refused.",
  knowledge_gap: "Add parking and directions to the knowledge base.",
  prompt_or_policy: "Let the bot confirm bookings itself when a slot is free instead of promising a call back.",
};

/** The quality flags the requested schema asks for (read from it, so a new flag never breaks the demo). */
function qualityFlags(schema: unknown): string[] {
  const quality = (schema as { properties?: { quality?: { properties?: Record<string, unknown> } } } | undefined)?.properties?.quality
    ?.properties;
  return Object.keys(quality ?? { wrong_language: 0, off_topic: 0, repetitive: 0, failed_to_answer: 0 });
}

function answer(task: string, user: string, conversations: DemoConversation[], schema: unknown): unknown {
  const c = conversations.find((x) => user.includes(openingLine(x)));
  const bot = c?.turns.filter((t) => t.startsWith("B:")).map((t) => t.slice(2)) ?? [];
  const tool = c?.turns.find((t) => t.startsWith("T:") && t.includes('"error"'))?.split("|")[2];
  if (task === "intent")
    return {
      intent: c?.intent ?? "unknown",
      confidence: c ? 0.94 : 0.3,
      summary: c ? `The caller wanted to ${c.intent.replace(/_/g, " ")}.` : "No clear request.",
    };
  if (task === "fulfillment") {
    const status = c?.verdict ?? "fail";
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

export interface DemoJudge {
  baseURL: string;
  apiKey: string;
  calls: number;
  close(): Promise<void>;
}

export async function startDemoJudge(conversations: DemoConversation[], apiKey = "sk-demo-judge"): Promise<DemoJudge> {
  const state = { calls: 0 };
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (req.method !== "POST" || req.url !== "/v1/chat/completions") return void res.writeHead(404).end();
    if (!secretsEqual(req.headers.authorization ?? "", `Bearer ${apiKey}`)) {
      return void res
        .writeHead(401, { "content-type": "application/json" })
        .end(JSON.stringify({ error: { message: "Incorrect API key provided", type: "invalid_request_error" } }));
    }
    state.calls++;
    const body = JSON.parse(Buffer.concat(chunks).toString()) as {
      model: string;
      response_format?: { json_schema?: { name?: string; schema?: unknown } };
      messages?: { role: string; content: string }[];
    };
    const user = body.messages?.find((m) => m.role === "user")?.content ?? "";
    const format = body.response_format?.json_schema;
    const content = JSON.stringify(answer(format?.name ?? "text", user, conversations, format?.schema));
    res.writeHead(200, { "content-type": "application/json" }).end(
      JSON.stringify({
        id: `chatcmpl-demo-${state.calls}`,
        object: "chat.completion",
        created: Math.floor(Date.now() / 1000),
        model: body.model,
        choices: [{ index: 0, message: { role: "assistant", content, refusal: null }, finish_reason: "stop", logprobs: null }],
        usage: {
          prompt_tokens: Math.ceil(user.length / 4),
          completion_tokens: Math.ceil(content.length / 4),
          total_tokens: Math.ceil((user.length + content.length) / 4),
        },
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return Object.assign(state, {
    baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    apiKey,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
