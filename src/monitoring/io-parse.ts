// Observation I/O as Vigil stores it. Langfuse's v2 API serves input and output as raw JSON
// strings (v1 as values); both become values here. A value nested deeper than MAX_DEPTH or
// larger than MAX_CHARS is replaced by a marker instead of being walked: one poisoned
// observation (thousands of levels deep) would otherwise overflow the stack of every import.
import { newInInput, newInOutput, readIo } from "./io-shapes.js";

export const MAX_DEPTH = 64;
export const MAX_CHARS = 20_000;
// What is parsed at all: beyond this a value is cut as text.
const MAX_PARSE_CHARS = 2_000_000;

export interface ParsedIo {
  value: unknown;
  /** Why the value was replaced or cut, for the log line; undefined when it was kept whole. */
  problem?: string;
}

/** Nesting depth of a JSON text, counted without recursion (brackets inside strings ignored); stops past `limit`. */
function jsonTextDepth(text: string, limit: number): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      depth++;
      max = Math.max(max, depth);
      if (max > limit) return max;
    } else if (c === 93 || c === 125) depth--;
  }
  return max;
}

/** Nesting depth of a value, walked with an explicit stack; stops past `limit`. */
function valueDepth(value: unknown, limit: number): number {
  const stack: [unknown, number][] = [[value, 0]];
  let max = 0;
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (typeof v !== "object" || v === null) continue;
    const depth = d + 1;
    max = Math.max(max, depth);
    if (max > limit) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth]);
  }
  return max;
}

const looksLikeJson = (t: string) => /^\s*[[{"]/.test(t);

/** `side`: an input keeps what its history adds last, an output what follows its last caller line. */
export function parseIo(raw: unknown, side: "input" | "output" = "input"): ParsedIo {
  if (raw === undefined || raw === null) return { value: null };
  if (typeof raw === "string") {
    if (!looksLikeJson(raw)) return raw.length <= MAX_CHARS ? { value: raw } : cut(raw);
    const depth = jsonTextDepth(raw, MAX_DEPTH);
    if (depth > MAX_DEPTH)
      return { value: `[omitted: nested more than ${MAX_DEPTH} levels deep]`, problem: `nested more than ${MAX_DEPTH} levels deep` };
    if (raw.length > MAX_PARSE_CHARS) return cut(raw);
    let value: unknown;
    try {
      value = JSON.parse(raw) as unknown;
    } catch {
      return raw.length <= MAX_CHARS ? { value: raw } : cut(raw); // text that only looks like JSON
    }
    return raw.length <= MAX_CHARS ? { value } : shrink(value, raw, side);
  }
  if (typeof raw !== "object") return { value: raw };
  if (valueDepth(raw, MAX_DEPTH) > MAX_DEPTH)
    return { value: `[omitted: nested more than ${MAX_DEPTH} levels deep]`, problem: `nested more than ${MAX_DEPTH} levels deep` };
  const text = JSON.stringify(raw);
  return text.length <= MAX_CHARS ? { value: raw } : shrink(raw, text, side);
}

const STORED_ROLE = { caller: "user", bot: "assistant", tool: "tool" } as const;

/**
 * A chat history too large to keep: each generation repeats the whole history, and the
 * transcript only takes what the generation adds (io-shapes.ts), so that is kept, bounded, as
 * OpenAI chat messages whatever shape it came in.
 */
function shrink(value: unknown, text: string, side: "input" | "output"): ParsedIo {
  const read = readIo(value, side === "input" ? "caller" : "bot");
  if ("unreadable" in read) return cut(text);
  const added = (side === "input" ? newInInput : newInOutput)(read.said).filter((x) => x.role !== "system");
  const per = Math.floor(MAX_CHARS / Math.max(1, added.length));
  const kept = added.map((x) => ({
    role: STORED_ROLE[x.role as keyof typeof STORED_ROLE],
    content: x.text.length > per ? `${x.text.slice(0, per)}…` : x.text,
  }));
  if (kept.length === 0) return cut(text);
  return { value: kept, problem: `history of ${text.length} characters: kept its last ${kept.length} new message(s)` };
}

function cut(text: string): ParsedIo {
  return {
    value: `${text.slice(0, MAX_CHARS)}…[truncated ${text.length - MAX_CHARS} chars]`,
    problem: `larger than ${MAX_CHARS} characters: truncated`,
  };
}
