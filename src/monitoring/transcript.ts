// Turns Langfuse observations into a conversation (caller / bot / tool). Generations carry the
// conversation in the shapes io-shapes.ts reads; tool observations are tool turns. A generation
// whose input or output no reader recognises makes the transcript unreadable: it is not judged.
import { parseIo } from "./io-parse.js";
import { newInInput, newInOutput, readIo } from "./io-shapes.js";

export interface StoredObservation {
  type: string;
  name: string | null;
  level: string | null;
  statusMessage: string | null;
  input: unknown;
  output: unknown;
  environment?: string | null;
  release?: string | null;
  version?: string | null;
  /** "name vN": the Langfuse prompt a generation was made from. */
  prompt?: string | null;
}

export interface Turn {
  role: "caller" | "bot" | "tool";
  text: string;
}

export interface Transcript {
  turns: Turn[];
  errors: string[];
  text: string;
  /** The shapes (keys only) of generation I/O that could not be read: the transcript is incomplete. */
  unreadable: string[];
  /** The Langfuse environment of the observations (the latest one set): the scores go there too. */
  environment: string | null;
  /** The conversation's release, version and prompt in Langfuse (the latest set of each): its verdict is grouped by them. */
  release: string | null;
  version: string | null;
  prompt: string | null;
}

const TOOL_RESULT_CHARS = 600;

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);
const compact = (v: unknown) => (v === null || v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v));

export function buildTranscript(observations: StoredObservation[], maxChars: number): Transcript {
  const turns: Turn[] = [];
  const errors: string[] = [];
  const unreadable = new Set<string>();
  let environment: string | null = null;
  let release: string | null = null;
  let version: string | null = null;
  let prompt: string | null = null;
  const push = (role: Turn["role"] | "system", text: string) => {
    const t = text.trim();
    if (!t || role === "system") return;
    const lastCaller = turns.findLastIndex((x) => x.role === "caller");
    // A history repeats the caller's line and the tool calls of the exchange: each is kept once.
    if (role === "caller" && turns[lastCaller]?.text === t) return;
    if (role === "tool" && turns.slice(lastCaller + 1).some((x) => x.role === "tool" && x.text === t)) return;
    turns.push({ role, text: t });
  };

  for (const stored of observations) {
    // Rows imported before I/O was parsed at import still hold strings.
    const o = { ...stored, input: parseIo(stored.input).value, output: parseIo(stored.output, "output").value };
    environment = o.environment ?? environment;
    release = o.release ?? release;
    version = o.version ?? version;
    prompt = o.prompt ?? prompt;
    if (o.level === "ERROR") errors.push(`${o.name ?? o.type}: ${o.statusMessage ?? "error"}`);
    const type = o.type.toUpperCase();
    if (type === "GENERATION") {
      const input = readIo(o.input, "caller");
      const output = readIo(o.output, "bot");
      if ("unreadable" in input) unreadable.add(`input ${input.unreadable}`);
      if ("unreadable" in output) unreadable.add(`output ${output.unreadable}`);
      if ("said" in input) for (const x of newInInput(input.said)) push(x.role, x.text);
      if ("said" in output) for (const x of newInOutput(output.said)) push(x.role, x.text);
    } else if (type === "TOOL" || (type === "SPAN" && /tool/i.test(o.name ?? ""))) {
      push("tool", `${o.name ?? "tool"}(${clip(compact(o.input), 200)}) → ${clip(compact(o.output), TOOL_RESULT_CHARS)}`);
    }
  }
  return { turns, errors, text: render(turns, maxChars), unreadable: [...unreadable], environment, release, version, prompt };
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
