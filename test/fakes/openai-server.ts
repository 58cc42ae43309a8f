import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export const OPENAI_API_KEY = "sk-test-openai-9c41d";

export type ScriptedReply =
  | { json: unknown }
  | { raw: string }
  | { status: number; headers?: Record<string, string> }
  | { hangMs: number };

export interface FakeOpenAI {
  baseURL: string;
  apiKey: string;
  calls: { task: string; at: number; user: string }[];
  maxConcurrent: number;
  close(): Promise<void>;
}

/**
 * Speaks OpenAI's chat completions API with structured output: the reply for each request comes
 * from `script(task, user)`, where task is the response_format schema name.
 */
export async function startFakeOpenAI(options: { script: (task: string, user: string) => ScriptedReply | Promise<ScriptedReply>; latencyMs?: number }): Promise<FakeOpenAI> {
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
    if (req.headers.authorization !== `Bearer ${OPENAI_API_KEY}`) {
      res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "Incorrect API key", type: "invalid_request_error" } }));
      return;
    }
    const body = JSON.parse(Buffer.concat(chunks).toString());
    const task = String(body.response_format?.json_schema?.name ?? "text");
    const user = String(body.messages?.find((m: { role: string }) => m.role === "user")?.content ?? "");
    calls.push({ task, at: Date.now(), user });
    inFlight++;
    state.maxConcurrent = Math.max(state.maxConcurrent, inFlight);
    try {
      if (options.latencyMs) await new Promise((r) => setTimeout(r, options.latencyMs));
      const reply = await options.script(task, user);
      if ("hangMs" in reply) {
        await new Promise((r) => setTimeout(r, reply.hangMs));
        if (!res.destroyed) res.writeHead(504).end();
        return;
      }
      if ("status" in reply) {
        res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers }).end(JSON.stringify({ error: { message: "scripted failure", type: "server_error" } }));
        return;
      }
      const content = "raw" in reply ? reply.raw : JSON.stringify(reply.json);
      res.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify({
          id: `chatcmpl-${calls.length}`,
          object: "chat.completion",
          created: Math.floor(Date.now() / 1000),
          model: body.model,
          choices: [{ index: 0, message: { role: "assistant", content, refusal: null }, finish_reason: "stop", logprobs: null }],
          usage: { prompt_tokens: Math.ceil(user.length / 4), completion_tokens: Math.ceil(content.length / 4), total_tokens: Math.ceil((user.length + content.length) / 4) },
        }),
      );
    } finally {
      inFlight--;
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return Object.assign(state, {
    baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    apiKey: OPENAI_API_KEY,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
