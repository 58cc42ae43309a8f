// Turns Langfuse observations into a conversation (caller / bot / tool) from the common shapes
// of generation input and output: OpenAI chat messages, plain strings, { messages } wrappers,
// as values or as the raw JSON strings Langfuse's v2 API serves. Roles come from that structure
// only, never from the text.
import { parseIo } from "./io-parse.js";

export interface StoredObservation {
  type: string;
  name: string | null;
  level: string | null;
  statusMessage: string | null;
  input: unknown;
  output: unknown;
}

export interface Turn {
  role: "caller" | "bot" | "tool";
  text: string;
}

export interface Transcript {
  turns: Turn[];
  errors: string[];
  text: string;
}

const TOOL_RESULT_CHARS = 600;

function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content))
    return content.map((part) => (typeof part === "string" ? part : typeof part?.text === "string" ? part.text : "")).join(" ");
  return "";
}

function messagesOf(value: unknown): { role: string; content: unknown; tool_calls?: unknown }[] | undefined {
  if (Array.isArray(value) && value.every((m) => typeof m === "object" && m !== null && "role" in m)) return value;
  if (typeof value === "object" && value !== null && Array.isArray((value as { messages?: unknown }).messages))
    return messagesOf((value as { messages: unknown }).messages);
  return undefined;
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);
const compact = (v: unknown) => (v === null || v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v));

export function buildTranscript(observations: StoredObservation[], maxChars: number): Transcript {
  const turns: Turn[] = [];
  const errors: string[] = [];
  const push = (role: Turn["role"], text: string) => {
    const t = text.trim();
    if (!t) return;
    const last = turns.findLast((x) => x.role === role);
    // Each generation repeats the history in its input: keep a caller line only once.
    if (role === "caller" && last?.text === t) return;
    turns.push({ role, text: t });
  };

  for (const stored of observations) {
    // Rows imported before I/O was parsed at import still hold strings.
    const o = { ...stored, input: parseIo(stored.input).value, output: parseIo(stored.output).value };
    if (o.level === "ERROR") errors.push(`${o.name ?? o.type}: ${o.statusMessage ?? "error"}`);
    const type = o.type.toUpperCase();
    if (type === "GENERATION") {
      const messages = messagesOf(o.input);
      if (messages) {
        const lastUser = messages.findLast((m) => m.role === "user");
        if (lastUser) push("caller", contentText(lastUser.content));
      } else if (typeof o.input === "string") push("caller", o.input);
      const out = o.output;
      const outMessages = messagesOf(out);
      const reply =
        typeof out === "string"
          ? out
          : outMessages
            ? contentText(outMessages.at(-1)?.content)
            : contentText((out as { content?: unknown } | null)?.content);
      push("bot", reply);
      const toolCalls = (out as { tool_calls?: { function?: { name?: string; arguments?: string } }[] } | null)?.tool_calls;
      for (const call of Array.isArray(toolCalls) ? toolCalls : [])
        push("tool", `call ${call.function?.name ?? "tool"}(${clip(call.function?.arguments ?? "", 200)})`);
    } else if (type === "TOOL" || (type === "SPAN" && /tool/i.test(o.name ?? ""))) {
      push("tool", `${o.name ?? "tool"}(${clip(compact(o.input), 200)}) → ${clip(compact(o.output), TOOL_RESULT_CHARS)}`);
    }
  }
  return { turns, errors, text: render(turns, maxChars) };
}

/**
 * One JSON object per turn, so nothing a caller types can start a line of its own or claim
 * another role. Bounded for the model: the start and the end of a long conversation, the
 * middle elided.
 */
function render(turns: Turn[], maxChars: number): string {
  const line = (t: Turn, max = Infinity) =>
    JSON.stringify({ role: t.role, text: t.text.length > max ? `${t.text.slice(0, max)}…` : t.text });
  const full = turns.map((t) => line(t)).join("\n");
  if (full.length <= maxChars) return full;
  const head: string[] = [];
  const tail: string[] = [];
  let budget = maxChars - 60;
  for (let i = 0, j = turns.length - 1; i <= j && budget > 40; ) {
    const front = head.length <= tail.length;
    const rendered = line(front ? turns[i++]! : turns[j--]!, Math.min(2000, budget - 40));
    budget -= rendered.length + 1;
    if (front) head.push(rendered);
    else tail.unshift(rendered);
  }
  return [...head, JSON.stringify({ omitted_turns: turns.length - head.length - tail.length }), ...tail].join("\n");
}
