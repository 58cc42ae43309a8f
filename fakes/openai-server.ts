import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { secretsEqual } from "../src/security/constant-time.js";

export const OPENAI_API_KEY = "sk-test-openai-9c41d";

export type ScriptedReply =
  | { json: unknown }
  | { raw: string; finishReason?: "stop" | "length" }
  | { status: number; headers?: Record<string, string> }
  | { hangMs: number };

export interface FakeOpenAI {
  baseURL: string;
  apiKey: string;
  calls: {
    task: string;
    at: number;
    user: string;
    temperature?: number;
    format?: string;
    maxCompletionTokens?: number;
    reasoningEffort?: string;
  }[];
  maxConcurrent: number;
  close(): Promise<void>;
}

/** What the served model accepts, as real models and OpenAI-compatible servers differ. */
export interface ModelTraits {
  /** Reasoning models (GPT-5, o-series) take only the default temperature: 400 "Unsupported value". */
  defaultTemperatureOnly?: boolean;
  /** Servers without structured outputs refuse response_format json_schema (400; FastAPI-based servers answer 422). */
  noJsonSchema?: boolean | 400 | 422;
  /** Some OpenAI-compatible servers take response_format json_schema and ignore it: the reply is prose. */
  ignoresJsonSchema?: boolean;
  /** Servers without reasoning models refuse reasoning_effort: 400 "Unrecognized request argument". */
  noReasoningEffort?: boolean;
}

/** What else of the request a script may read: the requested JSON schema (structured outputs). */
export interface ScriptRequest {
  schema: unknown;
}

/**
 * Speaks OpenAI's chat completions API (openai/openai-node src/resources/chat/completions/completions.ts:
 * ChatCompletion with `usage`, `finish_reason`, `message.refusal`; errors as
 * `{ error: { message, type, param, code } }`, which src/core/error.ts APIError reads). The reply for each request comes from
 * `script(task, user)`, where task is the json_schema name, or in json_object mode the name the
 * system prompt asks for.
 */
export async function startFakeOpenAI(options: {
  script: (task: string, user: string, request: ScriptRequest) => ScriptedReply | Promise<ScriptedReply>;
  latencyMs?: number;
  traits?: ModelTraits;
  /** Default the test key (the log audit looks for it). */
  apiKey?: string;
}): Promise<FakeOpenAI> {
  const apiKey = options.apiKey ?? OPENAI_API_KEY;
  const calls: FakeOpenAI["calls"] = [];
  let inFlight = 0;
  const state = { maxConcurrent: 0 };
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (req.url !== "/v1/chat/completions" || req.method !== "POST") {
      res.writeHead(404).end();
      return;
    }
    if (!secretsEqual(req.headers.authorization ?? "", `Bearer ${apiKey}`)) {
      res
        .writeHead(401, { "content-type": "application/json" })
        .end(JSON.stringify({ error: { message: "Incorrect API key", type: "invalid_request_error" } }));
      return;
    }
    const body = JSON.parse(Buffer.concat(chunks).toString());
    const refuse = (message: string, param: string, code: string, status = 400) =>
      res
        .writeHead(status, { "content-type": "application/json" })
        .end(JSON.stringify({ error: { message, type: "invalid_request_error", param, code } }));
    const system = String(body.messages?.find((m: { role: string }) => m.role === "system")?.content ?? "");
    const task = String(
      body.response_format?.json_schema?.name ??
        (body.response_format?.type === "json_object" ? (/JSON object for "(\w+)"/.exec(system)?.[1] ?? "text") : "text"),
    );
    const user = String(body.messages?.find((m: { role: string }) => m.role === "user")?.content ?? "");
    calls.push({
      task,
      at: Date.now(),
      user,
      temperature: body.temperature,
      format: body.response_format?.type,
      maxCompletionTokens: body.max_completion_tokens,
      reasoningEffort: body.reasoning_effort,
    });
    if (options.traits?.defaultTemperatureOnly && body.temperature !== undefined && body.temperature !== 1) {
      return refuse(
        `Unsupported value: 'temperature' does not support ${body.temperature} with this model. Only the default (1) value is supported.`,
        "temperature",
        "unsupported_value",
      );
    }
    if (options.traits?.noJsonSchema && body.response_format?.type === "json_schema") {
      return refuse(
        "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.",
        "response_format",
        "invalid_parameter",
        options.traits.noJsonSchema === 422 ? 422 : 400,
      );
    }
    if (options.traits?.noReasoningEffort && body.reasoning_effort !== undefined)
      return refuse("Unrecognized request argument supplied: reasoning_effort", "reasoning_effort", "unknown_parameter");
    inFlight++;
    state.maxConcurrent = Math.max(state.maxConcurrent, inFlight);
    try {
      if (options.latencyMs) await new Promise((r) => setTimeout(r, options.latencyMs));
      const reply: ScriptedReply =
        options.traits?.ignoresJsonSchema && body.response_format?.type === "json_schema"
          ? { raw: "Sure! Here is my assessment of the conversation: the caller wanted an appointment." }
          : await options.script(task, user, { schema: body.response_format?.json_schema?.schema });
      if ("hangMs" in reply) {
        await new Promise((r) => setTimeout(r, reply.hangMs));
        if (!res.destroyed) res.writeHead(504).end();
        return;
      }
      if ("status" in reply) {
        res
          .writeHead(reply.status, { "content-type": "application/json", ...reply.headers })
          .end(JSON.stringify({ error: { message: "scripted failure", type: "server_error" } }));
        return;
      }
      const content = "raw" in reply ? reply.raw : JSON.stringify(reply.json);
      res.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify({
          id: `chatcmpl-${calls.length}`,
          object: "chat.completion",
          created: Math.floor(Date.now() / 1000),
          model: body.model,
          choices: [
            {
              index: 0,
              message: { role: "assistant", content, refusal: null },
              finish_reason: ("raw" in reply && reply.finishReason) || "stop",
              logprobs: null,
            },
          ],
          usage: {
            prompt_tokens: Math.ceil(user.length / 4),
            completion_tokens: Math.ceil(content.length / 4),
            total_tokens: Math.ceil((user.length + content.length) / 4),
          },
        }),
      );
    } finally {
      inFlight--;
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return Object.assign(state, {
    baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    apiKey,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
