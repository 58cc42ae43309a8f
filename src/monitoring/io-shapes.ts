// The I/O shapes instrumented apps write into Langfuse, read into who-said-what. Langfuse stores
// I/O as the instrumentation wrote it (langfuse/langfuse
// packages/shared/src/server/otel/OtelIngestionProcessor.ts picks `langfuse.observation.input`,
// `gen_ai.input.messages`, `input.value`, `ai.prompt.messages`… and keeps the value unchanged;
// langfuse-js packages/tracing/src/attributes.ts serialises whatever the app passes). Roles come
// from the structure only, never from the text. A value no reader recognises is reported with its
// keys (never its content), so the session is skipped instead of judged on turns that are missing.

type SaidRole = "caller" | "bot" | "tool" | "system";

export interface Said {
  role: SaidRole;
  text: string;
}

export type ReadIo = { said: Said[] } | { unreadable: string };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown) => (typeof v === "string" ? v : v === null || v === undefined ? "" : JSON.stringify(v));
const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);

const ROLES: Record<string, SaidRole> = {
  user: "caller",
  human: "caller",
  assistant: "bot",
  ai: "bot",
  model: "bot", // Gemini / ADK
  bot: "bot",
  system: "system",
  developer: "system",
  tool: "tool",
  function: "tool",
  ipython: "tool",
};
// LangChain's serialised messages: `{ type: "human" }` (message.model_dump / messages_to_dict)
// and `{ lc: 1, type: "constructor", id: [..., "HumanMessage"], kwargs }` (dumpd).
const LANGCHAIN_TYPES: Record<string, SaidRole> = {
  human: "caller",
  ai: "bot",
  AIMessageChunk: "bot",
  system: "system",
  tool: "tool",
  function: "tool",
};
const LANGCHAIN_CLASSES: Record<string, SaidRole> = {
  HumanMessage: "caller",
  HumanMessageChunk: "caller",
  AIMessage: "bot",
  AIMessageChunk: "bot",
  SystemMessage: "system",
  ToolMessage: "tool",
  FunctionMessage: "tool",
};

const callText = (name: unknown, args: unknown) => `call ${str(name) || "tool"}(${clip(str(args), 200)})`;
const resultText = (name: unknown, result: unknown) => `${str(name) ? `${str(name)} → ` : "result: "}${clip(str(result), 600)}`;

/** Tool calls in OpenAI chat (`function`), LangChain (`name`/`args`) and Vercel AI SDK (`toolName`, a JSON string) form. */
function toolCalls(calls: unknown): Said[] {
  let list = calls;
  if (typeof list === "string") {
    try {
      list = JSON.parse(list) as unknown;
    } catch {
      return [];
    }
  }
  if (!Array.isArray(list)) return [];
  return list.filter(isObj).map((c) => {
    const fn = isObj(c.function) ? c.function : c;
    return { role: "tool" as const, text: callText(fn.name ?? c.toolName, fn.arguments ?? c.args ?? c.input) };
  });
}

/**
 * A message's content: a string, or parts — OpenAI chat/Responses (`text`, `input_text`,
 * `output_text`), OpenTelemetry GenAI (`{type:"text", content}`, `tool_call`,
 * `tool_call_response`), Gemini (`{text}`, `functionCall`, `functionResponse`), Vercel AI SDK
 * (`tool-call`, `tool-result`), Anthropic (`tool_use`, `tool_result`). Images, files and reasoning
 * parts say nothing to the caller: they are read as nothing.
 */
function contentOf(content: unknown, role: SaidRole): Said[] {
  if (typeof content === "string") return [{ role, text: content }];
  if (!Array.isArray(content)) return isObj(content) ? contentOf([content], role) : [];
  const out: Said[] = [];
  const text: string[] = [];
  for (const part of content) {
    if (typeof part === "string") text.push(part);
    if (!isObj(part)) continue;
    const type = typeof part.type === "string" ? part.type : "";
    if (isObj(part.functionCall)) out.push({ role: "tool", text: callText(part.functionCall.name, part.functionCall.args) });
    else if (isObj(part.functionResponse))
      out.push({ role: "tool", text: resultText(part.functionResponse.name, part.functionResponse.response) });
    else if (type === "tool_call" || type === "tool-call" || type === "tool_use")
      out.push({ role: "tool", text: callText(part.name ?? part.toolName, part.arguments ?? part.args ?? part.input) });
    else if (type === "tool_call_response" || type === "tool-result" || type === "tool_result")
      out.push({ role: "tool", text: resultText(part.toolName, part.response ?? part.output ?? part.result ?? part.content) });
    else if (typeof part.text === "string" && !/reasoning|thinking|refusal/.test(type)) text.push(part.text);
    else if (type === "text" && typeof part.content === "string") text.push(part.content);
  }
  const joined = text.join(" ").trim();
  return joined ? [{ role, text: joined }, ...out] : out;
}

/** One message-like object, or undefined when it is not one. */
function readMessage(m: Obj): Said[] | undefined {
  if (m.lc === 1 && Array.isArray(m.id) && isObj(m.kwargs)) {
    const role = LANGCHAIN_CLASSES[String(m.id.at(-1))];
    return role ? [...contentOf(m.kwargs.content, role), ...toolCalls(m.kwargs.tool_calls)] : undefined;
  }
  const type = typeof m.type === "string" ? m.type : undefined;
  if (type === "function_call" || type === "custom_tool_call") return [{ role: "tool", text: callText(m.name, m.arguments ?? m.input) }];
  if (type === "function_call_output" || type === "custom_tool_call_output")
    return [{ role: "tool", text: resultText(undefined, m.output) }];
  if (type === "reasoning") return [];
  let role: SaidRole | undefined;
  if (typeof m.role === "string") {
    role = ROLES[m.role.toLowerCase()];
    // langfuse-js's LangChain handler names tool and function messages by the tool (role: message.name).
    if (!role && ("additional_kwargs" in m || "tool_call_id" in m)) role = "tool";
  } else if (type && type !== "message" && type !== "text") role = LANGCHAIN_TYPES[type];
  if (!role) return undefined;
  const content = "content" in m ? m.content : "parts" in m ? m.parts : undefined;
  const said = contentOf(content, role);
  if (role === "tool" && said[0]?.role === "tool" && typeof m.name === "string" && m.name)
    said[0] = { role, text: resultText(m.name, said[0].text) };
  const legacyCall = isObj(m.function_call)
    ? [{ role: "tool" as const, text: callText(m.function_call.name, m.function_call.arguments) }]
    : [];
  const kwargsCalls = isObj(m.additional_kwargs) && !("tool_calls" in m) ? m.additional_kwargs.tool_calls : undefined;
  return [...said, ...toolCalls(m.tool_calls ?? kwargsCalls), ...legacyCall];
}

function readList(list: unknown[], plainRole: SaidRole): ReadIo {
  const said: Said[] = [];
  for (const item of list) {
    if (typeof item === "string") {
      said.push({ role: plainRole, text: item });
      continue;
    }
    // LangChain's chat-model callbacks hand over one message list per prompt: [[...messages]].
    const read = isObj(item) ? readValue(item, plainRole) : Array.isArray(item) ? readList(item, plainRole) : undefined;
    if (!read || "unreadable" in read) return { unreadable: `[${read && "unreadable" in read ? read.unreadable : typeof item}]` };
    said.push(...read.said);
  }
  return { said };
}

/** A wrapper object around messages, as each library writes one. */
function readValue(v: Obj, plainRole: SaidRole): ReadIo | undefined {
  const message = readMessage(v);
  if (message) return { said: message };
  // A role no reader knows is not guessed at.
  if (typeof v.role === "string") return undefined;
  // { messages } — an OpenAI chat request (langfuse-js packages/openai parseInputArgs), OpenInference
  // `input.value`, a LangGraph state.
  if (Array.isArray(v.messages)) return readList(v.messages, plainRole);
  // { choices: [{ message }] } — a whole ChatCompletion (OpenInference `output.value`).
  if (Array.isArray(v.choices)) {
    const first = v.choices[0];
    if (!isObj(first)) return { said: [] };
    if (isObj(first.message)) return readValue(first.message, "bot");
    if (typeof first.text === "string") return { said: [{ role: "bot", text: first.text }] };
  }
  // Gemini: a generateContent request ({ contents }), response ({ candidates: [{ content }] }), ADK's LlmResponse ({ content }).
  if (Array.isArray(v.contents)) return readList(v.contents, plainRole);
  if (Array.isArray(v.candidates)) return isObj(v.candidates[0]?.content) ? readValue(v.candidates[0].content, "bot") : { said: [] };
  if (isObj(v.content) && ("parts" in v.content || "role" in v.content)) return readValue(v.content, "bot");
  // OpenAI Responses: a response ({ output: [items], output_text }) or request ({ input }).
  if (Array.isArray(v.output)) return readList(v.output, "bot");
  if (typeof v.output_text === "string") return { said: [{ role: "bot", text: v.output_text }] };
  // Vercel AI SDK `ai.prompt` ({ system, prompt } or { system, messages }), legacy completions, chain I/O ({ input } / { output }).
  for (const key of ["prompt", "input", "output", "text", "completion", "content"]) {
    const inner = v[key];
    if (typeof inner === "string") return { said: [{ role: plainRole, text: inner }] };
    if (key === "content") continue;
    if (Array.isArray(inner)) return readList(inner, plainRole);
    if (isObj(inner)) return readValue(inner, plainRole);
  }
  return undefined;
}

/** The keys of an unread value: enough to add a reader for it, nothing of what was said. */
function shapeOf(v: unknown): string {
  if (Array.isArray(v)) return `[${shapeOf(v.find((x) => x !== null) ?? null)}]`;
  if (!isObj(v)) return typeof v;
  const keys = Object.keys(v)
    .slice(0, 12)
    .map((k) => (/^[\w.$:@-]{1,40}$/.test(k) ? k : "?"));
  return `{${keys.join(",")}}`;
}

/**
 * Reads an observation's input or output: `plainRole` is who a plain string or role-less wrapper
 * stands for (the caller for an input, the bot for an output).
 */
export function readIo(value: unknown, plainRole: "caller" | "bot"): ReadIo {
  if (value === null || value === undefined || value === "") return { said: [] };
  if (typeof value === "string") return { said: [{ role: plainRole, text: value }] };
  if (typeof value !== "object") return { said: [{ role: plainRole, text: String(value) }] };
  const read = Array.isArray(value) ? readList(value, plainRole) : readValue(value as Obj, plainRole);
  return read && !("unreadable" in read) ? read : { unreadable: shapeOf(value) };
}

/**
 * What a generation adds. Each input repeats the history: only what follows the bot's last turn
 * in it is new (the caller's next line, tool results); with no bot turn, from the caller's last
 * line. An output that holds a history (a whole state) adds what follows its last caller line.
 */
export function newInInput(said: Said[]): Said[] {
  const lastBot = said.findLastIndex((x) => x.role === "bot");
  return said.slice(
    lastBot >= 0
      ? lastBot + 1
      : Math.max(
          0,
          said.findLastIndex((x) => x.role === "caller"),
        ),
  );
}
export const newInOutput = (said: Said[]) => said.slice(said.findLastIndex((x) => x.role === "caller") + 1);
